package dev.retrain.jobs.pipeline;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipelines loaded from the configuration directory. Files are the source of truth:
 * every node loads the same directory, so this holds no state of its own beyond what the
 * files say.
 */
public class PipelineCatalog {

	private static final Logger log = LoggerFactory.getLogger(PipelineCatalog.class);

	private final Path directory;

	private final PipelineLoader loader = new PipelineLoader();

	private final AtomicReference<State> state = new AtomicReference<>(new State(Map.of(), List.of()));

	/** What is loaded, and the files that failed with why. */
	public record State(Map<String, PipelineDefinition> pipelines, List<PipelineConfigInvalid> errors) {
	}

	public PipelineCatalog(Path directory) {
		this.directory = directory;
	}

	public Path directory() {
		return this.directory;
	}

	public State reload() {
		Map<String, PipelineDefinition> pipelines = new TreeMap<>();
		List<PipelineLoader.Loaded> loaded = this.loader.loadDirectory(this.directory);
		List<PipelineConfigInvalid> errors = loaded.stream()
			.filter(l -> l.error() != null)
			.map(PipelineLoader.Loaded::error)
			.toList();
		loaded.stream()
			.filter(l -> l.definition() != null)
			.forEach(l -> pipelines.put(l.definition().name(), l.definition()));
		errors.forEach(e -> log.error("pipeline file not loaded: {}", e.getMessage()));
		log.info("loaded {} pipeline(s) from {}: {}", pipelines.size(), this.directory, pipelines.keySet());
		State next = new State(Map.copyOf(pipelines), errors);
		this.state.set(next);
		return next;
	}

	public State state() {
		return this.state.get();
	}

	public List<PipelineDefinition> all() {
		return this.state.get()
			.pipelines()
			.values()
			.stream()
			.sorted(Comparator.comparing(PipelineDefinition::name))
			.toList();
	}

	public PipelineDefinition get(String name) {
		PipelineDefinition d = this.state.get().pipelines().get(name);
		if (d == null) {
			String failed = this.state.get()
				.errors()
				.stream()
				.filter(e -> e.file().endsWith("/" + name + ".yaml") || e.file().endsWith("/" + name + ".yml"))
				.map(PipelineConfigInvalid::getMessage)
				.findFirst()
				.orElse(null);
			throw new PipelineNotFound(name, (failed != null) ? "its file failed to load: " + failed : null);
		}
		return d;
	}

	/** Checks YAML text without loading it (the dry-run). */
	public PipelineDefinition validate(String yaml, String source) {
		return this.loader.parse(yaml, source);
	}

}

package dev.retrain.jobs.pipeline;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipelines loaded from the configuration directory. Files are the source of truth:
 * every node loads the same directory, so this holds no state of its own beyond what the
 * files say.
 */
public class PipelineCatalog {

	private static final Logger log = LoggerFactory.getLogger(PipelineCatalog.class);

	/**
	 * The key under which a run's job execution context holds its pipeline file's text,
	 * pinned when the run starts (the retrain job's {@code PinnedPipeline}).
	 */
	public static final String PINNED_TEXT = "retrain.pipeline.text";

	private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

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

	/**
	 * The text of the file a definition was loaded from, as it is now; empty when it
	 * cannot be read (moved, or not a file of this catalog).
	 */
	public Optional<String> sourceText(PipelineDefinition def) {
		try {
			if (def.source() != null) {
				// a definition names its file as "<directory's name>/<file>": the file is
				// in
				// this catalog's directory, wherever the process runs from
				Path file = this.directory.resolve(Path.of(def.source()).getFileName());
				if (Files.isRegularFile(file)) {
					return Optional.of(Files.readString(file));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// unavailable
		}
		return Optional.empty();
	}

	/**
	 * Loads the directory again. A file that stops loading keeps its last good definition
	 * (and so its schedules and their pause state) until it loads again, and says so in
	 * {@code errors}; a name a second file declares stays with the file that held it.
	 */
	public State reload() {
		long started = System.nanoTime();
		// the CPU time spent on the files, on whichever threads the loader used
		LongAdder cpuNanos = new LongAdder();
		State before = this.state.get();
		Map<String, String> incumbents = new HashMap<>();
		before.pipelines().values().forEach(d -> incumbents.put(d.name(), d.source()));
		Map<String, PipelineDefinition> pipelines = new TreeMap<>();
		List<PipelineLoader.Loaded> loaded = this.loader.loadDirectory(this.directory, incumbents, cpuNanos);
		loaded.stream()
			.filter(l -> l.definition() != null)
			.forEach(l -> pipelines.put(l.definition().name(), l.definition()));
		List<PipelineConfigInvalid> errors = new ArrayList<>();
		for (PipelineLoader.Loaded l : loaded) {
			if (l.error() == null) {
				continue;
			}
			PipelineDefinition lastGood = before.pipelines()
				.values()
				.stream()
				.filter(d -> d.source().equals(l.file()) && !pipelines.containsKey(d.name()))
				.findFirst()
				.orElse(null);
			if (lastGood != null) {
				pipelines.put(lastGood.name(), lastGood);
				List<ConfigProblem> problems = new ArrayList<>(l.error().problems());
				problems.add(new ConfigProblem(null, "pipeline '" + lastGood.name()
						+ "' keeps its last good definition (and its schedules) until the file loads again"));
				errors.add(new PipelineConfigInvalid(l.file(), problems));
			}
			else {
				errors.add(l.error());
			}
		}
		errors.forEach(e -> log.error("pipeline file not loaded: {}", e.getMessage()));
		log.info("loaded {} pipeline(s) from {} in {} ms ({} ms of CPU): {}", pipelines.size(), this.directory,
				(System.nanoTime() - started) / 1_000_000,
				CPU.isCurrentThreadCpuTimeSupported() ? cpuNanos.sum() / 1_000_000 : "?", shown(pipelines.keySet()));
		State next = new State(Map.copyOf(pipelines), List.copyOf(errors));
		this.state.set(next);
		return next;
	}

	/** Names for a log line: all of a few, the first 20 of many. */
	static String shown(java.util.Collection<String> names) {
		if (names.size() <= 20) {
			return names.toString();
		}
		return names.stream().limit(20).toList().toString().replaceFirst("]$", "") + ", ... and " + (names.size() - 20)
				+ " more]";
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

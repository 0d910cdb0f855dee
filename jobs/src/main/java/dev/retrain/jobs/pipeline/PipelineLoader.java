package dev.retrain.jobs.pipeline;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Reads and checks pipeline files: {@link ConfigBinder} binds the YAML to
 * {@link PipelineYaml} (unknown fields are refused, since a typo must not silently fall
 * back to a default) and validates it; {@link PipelineRules} applies the rules that span
 * fields and builds the {@link PipelineDefinition}. All problems of a file are reported
 * at once, naming the file and the field.
 */
public final class PipelineLoader {

	private static final ConfigBinder BINDER = new ConfigBinder();

	private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

	/** A file that loaded, or the reason it did not. */
	public record Loaded(String file, PipelineDefinition definition, PipelineConfigInvalid error) {
	}

	/**
	 * Loads every {@code *.yaml} / {@code *.yml} file of a directory; one bad file does
	 * not stop the others.
	 */
	public List<Loaded> loadDirectory(Path dir) {
		return loadDirectory(dir, Map.of());
	}

	/**
	 * As {@link #loadDirectory(Path)}; a name two files declare stays with the file in
	 * {@code incumbents} (name to file) that declared it before, and is an error of the
	 * newcomer only (of every file declaring it, when none held it before).
	 */
	public List<Loaded> loadDirectory(Path dir, Map<String, String> incumbents) {
		return loadDirectory(dir, incumbents, new LongAdder());
	}

	/**
	 * As {@link #loadDirectory(Path, Map)}, adding the CPU time the loading threads spent
	 * on the files to {@code cpuNanos} (when the JVM measures it).
	 */
	public List<Loaded> loadDirectory(Path dir, Map<String, String> incumbents, LongAdder cpuNanos) {
		if (!Files.isDirectory(dir)) {
			return new ArrayList<>();
		}
		List<Path> paths;
		try (var files = Files.list(dir)) {
			paths = files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot list pipeline directory " + dir + ": " + ex.getMessage(), ex);
		}
		List<Loaded> result = loadAll(dir, paths, cpuNanos);
		Map<String, List<Loaded>> byName = result.stream()
			.filter(l -> l.definition() != null)
			.collect(Collectors.groupingBy(l -> l.definition().name()));
		List<Loaded> checked = new ArrayList<>();
		for (Loaded l : result) {
			List<Loaded> same = (l.definition() != null) ? byName.get(l.definition().name()) : List.of();
			String incumbent = (l.definition() != null) ? incumbents.get(l.definition().name()) : null;
			boolean incumbentHere = same.stream().anyMatch(o -> o.file().equals(incumbent));
			if (same.size() > 1 && !(incumbentHere && l.file().equals(incumbent))) {
				String why = incumbentHere
						? "pipeline name '" + l.definition().name() + "' is already defined by " + incumbent
						: "pipeline name '" + l.definition().name() + "' is used by more than one file: "
								+ same.stream().map(Loaded::file).toList();
				checked.add(new Loaded(l.file(), null,
						new PipelineConfigInvalid(l.file(), List.of(new ConfigProblem("name", why)))));
			}
			else {
				checked.add(l);
			}
		}
		return checked;
	}

	/**
	 * Loads {@code files} (of {@code dir}) in their order, on as many threads as there
	 * are processors: files are independent, and parsing, binding and validating one
	 * takes 3 to 10 ms of CPU, so a thousand take seconds on one thread
	 * (docs/capacity.md). The threads run with the caller's context class loader (Bean
	 * Validation finds its messages through it).
	 */
	private List<Loaded> loadAll(Path dir, List<Path> files, LongAdder cpuNanos) {
		int threads = Math.min(files.size() / 8, Runtime.getRuntime().availableProcessors());
		if (threads <= 1) {
			return new ArrayList<>(files.stream().map(f -> loadOne(dir, f, cpuNanos)).toList());
		}
		ClassLoader loader = Thread.currentThread().getContextClassLoader();
		AtomicInteger count = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(threads, task -> {
			Thread t = new Thread(task, "pipeline-loader-" + count.incrementAndGet());
			t.setDaemon(true);
			t.setContextClassLoader(loader);
			return t;
		});
		try {
			List<Future<Loaded>> pending = new ArrayList<>(files.size());
			for (Path f : files) {
				pending.add(pool.submit(() -> loadOne(dir, f, cpuNanos)));
			}
			List<Loaded> result = new ArrayList<>(files.size());
			for (Future<Loaded> f : pending) {
				result.add(f.get());
			}
			return result;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while loading pipeline directory " + dir, ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException r) {
				throw r;
			}
			throw new IllegalStateException("cannot load pipeline directory " + dir + ": " + ex.getCause(), ex);
		}
		finally {
			pool.shutdownNow();
		}
	}

	private Loaded loadOne(Path dir, Path file, LongAdder cpuNanos) {
		boolean timed = CPU.isCurrentThreadCpuTimeSupported();
		long cpu = timed ? CPU.getCurrentThreadCpuTime() : 0;
		String shown = dir.getFileName() + "/" + file.getFileName();
		try {
			return new Loaded(shown, load(file, shown), null);
		}
		catch (PipelineConfigInvalid ex) {
			return new Loaded(shown, null, ex);
		}
		finally {
			if (timed) {
				cpuNanos.add(CPU.getCurrentThreadCpuTime() - cpu);
			}
		}
	}

	public PipelineDefinition load(Path file, String shownName) {
		try {
			return parse(Files.readString(file, StandardCharsets.UTF_8), shownName);
		}
		catch (IOException ex) {
			throw new PipelineConfigInvalid(shownName,
					List.of(new ConfigProblem(null, "cannot read: " + ex.getMessage())));
		}
	}

	/**
	 * Parses and checks YAML text; {@code source} names it in messages. Every problem of
	 * the text is reported at once.
	 */
	public PipelineDefinition parse(String text, String source) {
		ConfigBinder.Bound<PipelineYaml> bound = BINDER.bind(text, PipelineYaml.class);
		List<ConfigProblem> problems = new ArrayList<>(bound.problems());
		PipelineDefinition def = null;
		if (bound.value() != null) {
			PipelineRules rules = new PipelineRules(bound.problems());
			def = rules.definition(bound.value(), source, hash(text));
			problems.addAll(rules.problems());
		}
		if (!problems.isEmpty()) {
			throw new PipelineConfigInvalid(source, problems);
		}
		return def;
	}

	static String hash(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}

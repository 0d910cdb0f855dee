package dev.retrain.jobs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.retrain.jobs.backtest.BacktestReport;
import dev.retrain.jobs.backtest.Backtester;
import dev.retrain.jobs.backtest.PolicyFile;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.json.Json;

/**
 * Memory of the retrain job itself: a window of {@code days - 1} day partitions (20
 * numeric and 2 categorical features) trained on by the product's retrain job, through a
 * backtest of the "never" policy (warm-up = the window: one retrain, then one day
 * scored), in a child JVM per heap size. The peer, in the same heap: reading the window
 * whole into a table and encoding it, which is what the job did before it streamed.
 *
 * <p>
 * {@code mvn -B -Pbench verify} runs it; results in
 * {@code jobs/target/benchmarks/job-memory.{md,json}}.
 */
public final class JobMemoryBenchmark {

	private static final int NUMERIC = 20;

	private JobMemoryBenchmark() {
	}

	/** One child's outcome. */
	public record Outcome(String how, String heap, String outcome, double seconds, long peakRssKb, Double accuracy) {
	}

	/** A benchmark's {@code --name=value} arguments ({@code --flag}: "true"). */
	public static Map<String, String> arguments(String[] args) {
		Map<String, String> a = new LinkedHashMap<>();
		for (String arg : args) {
			String[] kv = arg.replaceFirst("^--", "").split("=", 2);
			a.put(kv[0], (kv.length > 1) ? kv[1] : "true");
		}
		return a;
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = arguments(args);
		Path out = Path.of(a.getOrDefault("out", "target/benchmarks"));
		if (a.containsKey("child")) {
			child(a.get("child"), out);
			return;
		}
		int rowsPerDay = Integer.parseInt(a.getOrDefault("rows-per-day", "300000"));
		int days = Integer.parseInt(a.getOrDefault("days", "8"));
		List<String> heaps = List.of(a.getOrDefault("heaps", "256m,512m").split(","));
		run(out, rowsPerDay, days, heaps);
	}

	/**
	 * Generates the data, runs the job and the peer in one child per heap, and writes the
	 * results.
	 */
	public static List<Outcome> run(Path out, int rowsPerDay, int days, List<String> heaps) throws Exception {
		Files.createDirectories(out);
		Path work = out.resolve("job-memory");
		Path data = work.resolve("data/wide");
		if (!Files.exists(work.resolve("complete-" + rowsPerDay + "x" + days))) {
			deleteTree(work);
			new SampleDataGenerator().writeWide(data, LocalDate.of(2024, 1, 1), (long) rowsPerDay * days, rowsPerDay,
					NUMERIC, 7);
			Files.writeString(work.resolve("complete-" + rowsPerDay + "x" + days), "");
		}
		Files.writeString(work.resolve("wide.yaml"), pipeline(data, days - 1));
		Files.writeString(work.resolve("never.yaml"), """
				period-days: 1
				warmup-days: %d
				policies:
				  - {name: never, type: never}
				""".formatted(days - 1));
		List<Outcome> outcomes = new ArrayList<>();
		for (String heap : heaps) {
			for (String how : List.of("job", "whole")) {
				outcomes.add(inChild(how, heap, work));
				System.out.println(outcomes.get(outcomes.size() - 1));
			}
		}
		long windowRows = (long) rowsPerDay * (days - 1);
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT,
				"Window: %,d rows x %d columns (%d days of %,d rows); the job trains on %,d "
						+ "(the last day is its holdout) and the backtest then scores one more day.%n%n",
				windowRows, NUMERIC + 3, days - 1, rowsPerDay, windowRows - rowsPerDay));
		md.append(
				"| how | -Xmx | outcome | wall s | peak RSS MiB | accuracy |\n| --- | --- | --- | --- | --- | --- |\n");
		for (Outcome o : outcomes) {
			md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %d | %s |%n",
					o.how().equals("job") ? "retrain job (streams)" : "window read whole and encoded (the job before)",
					o.heap(), o.outcome(), o.seconds(), o.peakRssKb() / 1024,
					(o.accuracy() != null) ? String.format(Locale.ROOT, "%.4f", o.accuracy()) : ""));
		}
		Files.writeString(out.resolve("job-memory.md"), md.toString());
		Json.write(out.resolve("job-memory.json"), outcomes);
		System.out.print(md);
		return outcomes;
	}

	private static Outcome inChild(String how, String heap, Path work) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>();
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		cmd.add("-Xmx" + heap);
		cmd.add("-Dai.djl.offline=true");
		cmd.add("-Dai.djl.pytorch.num_threads=1");
		cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
		cmd.add("-cp");
		cmd.add(System.getProperty("java.class.path"));
		cmd.add(JobMemoryBenchmark.class.getName());
		cmd.add("--child=" + how);
		cmd.add("--out=" + work);
		Path log = work.resolve(how + "-" + heap + ".log");
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
		pb.environment().put("OMP_NUM_THREADS", "1");
		long start = System.nanoTime();
		Process p = pb.start();
		if (!p.waitFor(30, TimeUnit.MINUTES)) {
			p.destroyForcibly();
			throw new IllegalStateException(how + " at -Xmx" + heap + " did not finish in 30 minutes; see " + log);
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		String result = Files.readAllLines(log)
			.stream()
			.filter(l -> l.startsWith("RESULT "))
			.reduce((x, y) -> y)
			.orElse("RESULT crashed (exit " + p.exitValue() + ", see " + log + ") 0 NaN");
		String[] f = result.split(" ");
		double accuracy = Double.parseDouble(f[f.length - 1]);
		return new Outcome(how, heap, f[1], seconds, Long.parseLong(f[f.length - 2]),
				Double.isNaN(accuracy) ? null : accuracy);
	}

	/**
	 * Runs in the child JVM; prints
	 * {@code RESULT <outcome> <peak RSS kB> <accuracy or NaN>} last.
	 */
	private static void child(String how, Path work) throws Exception {
		String outcome;
		double accuracy = Double.NaN;
		try {
			if (how.equals("job")) {
				PolicyFile policies = PolicyFile.parse(Files.readString(work.resolve("never.yaml")));
				BacktestReport report = new Backtester().run(
						new Backtester.Request(Files.readString(work.resolve("wide.yaml")), work,
								work.resolve("sandbox-" + ProcessHandle.current().pid()), null, null,
								policies.periodDays(), policies.warmupDays(), policies.toPolicies()),
						System.out::println);
				BacktestReport.PolicyResult never = report.policies().get(0);
				accuracy = never.meanMetric();
				outcome = (never.rowsTrained() > 0 && !Double.isNaN(accuracy)) ? "ok"
						: "failed (the retrain job failed: see the log)";
			}
			else {
				Path data = work.resolve("data/wide");
				List<FeatureSpec> features = features();
				List<ColumnRequest> columns = new ArrayList<>();
				features.forEach(f -> columns
					.add(f.isNumeric() ? ColumnRequest.numeric(f.name()) : ColumnRequest.string(f.name())));
				columns.add(ColumnRequest.string("y"));
				var files = new PartitionedDirectory(data).resolve(LocalDate.of(2000, 1, 1), LocalDate.of(2100, 1, 1));
				Table window = new ParquetTableReader(data).read(files.subList(0, files.size() - 1), columns);
				float[] x = FeatureEncoder.fit(window, features).encode(window);
				System.out.println("encoded " + window.rows() + " rows into " + x.length + " floats");
				outcome = "ok";
			}
		}
		catch (OutOfMemoryError ex) {
			outcome = "OutOfMemoryError";
		}
		System.out.println("RESULT " + outcome.replace(' ', '_') + " " + peakRssKb() + " " + accuracy);
		System.exit(0);
	}

	private static List<FeatureSpec> features() {
		List<FeatureSpec> features = new ArrayList<>();
		for (int i = 0; i < NUMERIC; i++) {
			features.add(new FeatureSpec("x" + i, FeatureSpec.FeatureType.NUMERIC, null, null));
		}
		features.add(new FeatureSpec("cat1", FeatureSpec.FeatureType.CATEGORICAL, null, null));
		features.add(new FeatureSpec("cat2", FeatureSpec.FeatureType.CATEGORICAL, null, null));
		return features;
	}

	private static String pipeline(Path data, int windowDays) {
		StringBuilder f = new StringBuilder();
		for (int i = 0; i < NUMERIC; i++) {
			f.append("  - {name: x").append(i).append(", type: numeric}\n");
		}
		return """
				name: wide
				data:
				  path: %s
				  window-days: %d
				features:
				%s  - {name: cat1, type: categorical}
				  - {name: cat2, type: categorical}
				label:
				  column: y
				  task: binary
				  classes: ["0", "1"]
				holdouts:
				  - {name: recent, type: out-of-time, days: 1}
				model:
				  family: mlp
				  hidden-layers: [32]
				  epochs: 2
				  batch-size: 1024
				  learning-rate: 0.005
				  early-stopping: {patience: 0}
				  seed: 7
				promotion:
				  metric: accuracy
				  first-run: promote
				""".formatted(data.toAbsolutePath(), windowDays, f);
	}

	/** This process's peak resident set (VmHWM), in kB; 0 where unknown. */
	public static long peakRssKb() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("VmHWM:")) {
					return Long.parseLong(line.replaceAll("\\D+", ""));
				}
			}
		}
		catch (IOException ex) {
			// not Linux: unknown
		}
		return 0;
	}

	private static void deleteTree(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (var paths = Files.walk(dir)) {
			for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.delete(p);
			}
		}
	}

}

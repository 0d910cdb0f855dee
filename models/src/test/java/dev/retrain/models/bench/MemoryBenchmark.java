package dev.retrain.models.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.json.Json;
import dev.retrain.models.training.EpochListener;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelTrainer;
import dev.retrain.models.training.ParquetTrainingSource;
import dev.retrain.models.training.TrainingData;
import dev.retrain.models.training.TrainingResult;
import dev.retrain.models.training.TrainingSource;

/**
 * Memory while training on a window of day partitions, in a JVM of its own with a fixed
 * heap: {@code stream} (row groups streamed through {@link ParquetTrainingSource}) or
 * {@code memory} (the whole window decoded and encoded into arrays first, for
 * comparison). A sampler records the peak heap in use (garbage included) every 5 ms, and
 * every 500 ms forces a full collection and records the heap in use right after it: the
 * peak of those is what the run really holds. The resident set's peak comes from
 * {@code /proc/self/status} (VmHWM).
 */
public final class MemoryBenchmark {

	/**
	 * One child run. {@code outcome} is "ok" or the error that ended it (e.g.
	 * OutOfMemoryError).
	 */
	public record Result(long rows, String mode, String heap, String outcome, long peakHeapBytes, long peakLiveBytes,
			long peakRssBytes, double seconds, long trainRows, double samplesPerSecond) {
	}

	private MemoryBenchmark() {
	}

	static List<FeatureSpec> features() {
		List<FeatureSpec> f = new ArrayList<>();
		for (int c = 0; c < Benchmarks.NUMERIC; c++) {
			f.add(FeatureSpec.numeric("x" + c));
		}
		f.add(FeatureSpec.categorical("cat1"));
		f.add(FeatureSpec.categorical("cat2"));
		return f;
	}

	static List<DataFile> files(Path root) throws Exception {
		try (Stream<Path> s = Files.list(root)) {
			return s.filter(p -> p.getFileName().toString().startsWith("dt="))
				.sorted()
				.map(p -> new DataFile(root.relativize(p.resolve("part-0.parquet")).toString(),
						LocalDate.parse(p.getFileName().toString().substring(3)), 0, 0, ""))
				.toList();
		}
	}

	/**
	 * Runs one measurement in a new JVM with {@code -Xmx<heap>} and returns what it
	 * wrote.
	 */
	static Result runChild(Path data, long rows, String mode, String heap, Path out) throws Exception {
		Path result = Files.createTempFile(out, "memory-", ".json");
		Process p = Benchmarks.javaChild(List.of("-Xmx" + heap), "memory",
				List.of("--data=" + data, "--rows=" + rows, "--mode=" + mode, "--heap=" + heap, "--result=" + result),
				1);
		int code = p.waitFor();
		if (Files.size(result) == 0) {
			return new Result(rows, mode, heap, "child exited with " + code + " and no result", 0, 0, 0, 0, 0, 0);
		}
		return Json.read(result, Result.class);
	}

	/** The child's work (see {@link Benchmarks#main}). */
	static void child(Map<String, String> a) throws Exception {
		Path data = Path.of(a.get("data"));
		long rows = Long.parseLong(a.get("rows"));
		String mode = a.get("mode");
		AtomicLong peakHeap = new AtomicLong();
		AtomicLong peakLive = new AtomicLong();
		java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors
			.newSingleThreadScheduledExecutor();
		sampler.scheduleAtFixedRate(() -> peakHeap
			.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max), 0, 5,
				java.util.concurrent.TimeUnit.MILLISECONDS);
		// what is really held: a full collection every half second, and the heap in use
		// right after it
		sampler.scheduleAtFixedRate(() -> {
			System.gc();
			peakLive.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
		}, 250, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
		long t0 = System.nanoTime();
		String outcome = "ok";
		TrainingResult trained = null;
		try {
			trained = train(data, mode);
		}
		catch (OutOfMemoryError ex) {
			outcome = "OutOfMemoryError: " + ex.getMessage();
		}
		double seconds = (System.nanoTime() - t0) / 1e9;
		sampler.shutdown();
		sampler.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS);
		Result r = new Result(rows, mode, a.get("heap"), outcome, peakHeap.get(), peakLive.get(), vmHwm(), seconds,
				(trained != null) ? trained.trainRows() : 0, (trained != null) ? trained.samplesPerSecond() : 0);
		Json.write(Path.of(a.get("result")), r);
	}

	private static TrainingResult train(Path data, String mode) throws Exception {
		List<DataFile> files = files(data);
		LabelEncoding label = new LabelEncoding("y", Task.BINARY_CLASSIFICATION, List.of("0", "1"));
		Hyperparameters hp = new Hyperparameters(1, 512, 0.005, 0.0, 0, 0.0, 7, null, false);
		TrainingSource source;
		if (mode.equals("stream")) {
			source = ParquetTrainingSource.open(data, files, features(), null, label, hp);
		}
		else {
			List<ColumnRequest> columns = new ArrayList<>();
			for (FeatureSpec f : features()) {
				columns.add(f.isNumeric() ? ColumnRequest.numeric(f.name()) : ColumnRequest.string(f.name()));
			}
			columns.add(ColumnRequest.string("y"));
			Table t = new ParquetTableReader(data).read(files, columns);
			FeatureEncoder encoder = FeatureEncoder.fit(t, features());
			source = new TrainingData(encoder.encode(t), label.encode(t), null, t.rows(), encoder.width());
		}
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(32, 16), source.width(),
				1);
		Path work = Files.createTempDirectory("memory-train");
		return new ModelTrainer().train(new ModelTrainer.Request(shape, hp, source, null, work, EpochListener.NONE));
	}

	/** Peak resident set size of this process, from /proc (0 where there is no /proc). */
	static long vmHwm() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
				if (line.startsWith("VmHWM:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
				}
			}
		}
		catch (Exception ex) {
			return 0;
		}
		return 0;
	}

	static String markdown(List<Result> results) {
		StringBuilder sb = new StringBuilder(
				"| rows x 22 columns | how | heap limit | outcome | peak heap in use (garbage included) | peak held (after a full GC) | held bytes per row | peak RSS | time |\n"
						+ "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (Result r : results) {
			sb.append(String.format(java.util.Locale.ROOT,
					"| %,d | %s | %s | %s | %,d MiB | %,d MiB | %.1f | %,d MiB | %.1f s |%n", r.rows(),
					r.mode().equals("stream") ? "streamed row groups" : "whole window in arrays", r.heap(), r.outcome(),
					r.peakHeapBytes() >> 20, r.peakLiveBytes() >> 20, (double) r.peakLiveBytes() / r.rows(),
					r.peakRssBytes() >> 20, r.seconds()));
		}
		return sb.toString();
	}

}

package dev.retrain.jobs.scoring;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import dev.retrain.jobs.bench.JobMemoryBenchmark;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.PredictionsWriter;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.json.Json;
import dev.retrain.models.storage.Storage;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.EpochListener;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.LoadedModel;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelTrainer;
import dev.retrain.models.training.TrainingData;
import dev.retrain.models.training.TrainingResult;

/**
 * Batch scoring speed and memory: {@code rows} x 22 feature columns (20 numeric, 2
 * categorical with 8 and 100 values) in one day partition, scored by the scoring job's
 * own code ({@link ScoreStep#score}: Parquet read, encoding, DJL forward, Parquet write)
 * in a child JVM at {@code -Xmx512m}, once for the whole partition and once for a quarter
 * of it, and the whole partition again at {@code -Xmx160m} (memory flat in the rows); the
 * peer, in a child of its own: the same model scoring the same rows already encoded in
 * one float array, batch by batch ({@link LoadedModel#predict(float[], int)}: NDArray,
 * forward, copy back, nothing else), at the heap the array needs. Both use the same DJL
 * threads.
 *
 * <p>
 * {@code mvn -B -Pbench verify} runs it; results in
 * {@code jobs/target/benchmarks/scoring.{md,json}}.
 */
public final class ScoringBenchmark {

	private static final int NUMERIC = 20;

	private static final long ROW_GROUP_BYTES = 32L << 20;

	private ScoringBenchmark() {
	}

	/** One child's outcome. */
	public record Outcome(String how, long rows, String heap, double seconds, double rowsPerSecond, long peakHeapMb,
			long peakRssMb, String outcome) {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = JobMemoryBenchmark.arguments(args);
		Path out = Path.of(a.getOrDefault("out", "target/benchmarks"));
		if ("parts".equals(a.get("child"))) {
			parts(Path.of(a.get("work")), Long.parseLong(a.get("rows")));
			return;
		}
		if (a.containsKey("child")) {
			child(a.get("child"), Path.of(a.get("work")), Long.parseLong(a.get("rows")));
			return;
		}
		run(out, Long.parseLong(a.getOrDefault("rows", "1000000")), a.getOrDefault("heap", "512m"),
				Integer.parseInt(a.getOrDefault("repeats", "5")));
	}

	public static List<Outcome> run(Path out, long rows, String heap, int repeats) throws Exception {
		Path work = out.resolve("scoring");
		long quarter = rows / 4;
		if (!Files.exists(work.resolve("complete-" + rows + "-" + ROW_GROUP_BYTES))) {
			ModelStore.deleteTree(work);
			SampleDataGenerator gen = new SampleDataGenerator();
			// row groups of 32 MiB: what the reader holds at once is one group as stored
			gen.writeWide(work.resolve("data-" + rows), LocalDate.of(2024, 1, 1), rows, (int) rows, NUMERIC, 7,
					CompressionCodecName.SNAPPY, ROW_GROUP_BYTES);
			gen.writeWide(work.resolve("data-" + quarter), LocalDate.of(2024, 1, 1), quarter, (int) quarter, NUMERIC, 8,
					CompressionCodecName.SNAPPY, ROW_GROUP_BYTES);
			train(work, work.resolve("data-" + quarter));
			Files.writeString(work.resolve("complete-" + rows + "-" + ROW_GROUP_BYTES), "");
		}
		List<Outcome> outcomes = new ArrayList<>();
		// job and peer back to back, repeats times: the machine is shared and noisy, and
		// pairing cancels most of the load both sides saw
		List<Double> ratios = new ArrayList<>();
		List<Double> partRatios = new ArrayList<>();
		List<String> partLines = new ArrayList<>();
		for (int i = 0; i < repeats; i++) {
			Outcome job = inChild("job", work, rows, heap);
			// the peer holds the encoded rows: 1M x ~150 floats is ~600 MB
			Outcome bare = inChild("bare", work, rows, Math.max(1, rows / 300_000) + "g");
			// the job's own parts, each timed alone in one JVM: read, encode, score,
			// write
			Parts parts = parts(work, rows, (Math.max(1, rows / 300_000) + 1) + "g");
			outcomes.add(job);
			outcomes.add(bare);
			ratios.add((bare.rowsPerSecond() > 0) ? job.rowsPerSecond() / bare.rowsPerSecond() : 0);
			partRatios.add((parts.sum() > 0) ? job.seconds() / parts.sum() : 0);
			partLines.add(String.format(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |", i + 1,
					job.seconds(), parts.read(), parts.encode(), parts.score(), parts.write(), parts.sum(),
					partRatios.get(i)));
		}
		outcomes.add(inChild("job", work, quarter, heap));
		// memory flat in the rows: the whole partition again in a third of the heap
		outcomes.add(inChild("job", work, rows, "160m"));
		outcomes.forEach(System.out::println);
		List<Double> sorted = ratios.stream().sorted().toList();
		double median = sorted.get(sorted.size() / 2);
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT,
				"%,d rows x 22 feature columns (20 numeric, 2 categorical), one day partition in row groups of 32 MiB; "
						+ "an MLP of 32, binary.%n%n| how | rows | -Xmx | outcome | s | rows/s | peak heap MiB | "
						+ "peak RSS MiB |%n| --- | --- | --- | --- | --- | --- | --- | --- |%n",
				rows));
		for (Outcome o : outcomes) {
			md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %.2f | %,.0f | %d | %d |%n",
					o.how().equals("job") ? "scoring job (Parquet in, encode, score, Parquet out)"
							: "bare DJL loop over the encoded array",
					o.rows(), o.heap(), o.outcome(), o.seconds(), o.rowsPerSecond(), o.peakHeapMb(), o.peakRssMb()));
		}
		md.append(
				String.format(Locale.ROOT, "%nRatio (job / bare, rows/s) per repeat: %s; median %.2fx (aim >= 0.8x).%n",
						ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList(), median));
		md.append(String.format(Locale.ROOT,
				"%nThe job against the sum of its own parts, each timed alone in one JVM of its own right after the "
						+ "job (the product's Parquet read of the same columns, slice by slice; encoding those slices; "
						+ "the bare scoring loop over the encoded rows; the predictions writer writing the same "
						+ "predictions), seconds:%n%n| repeat | job | read | encode | score | write | sum | job / sum |%n"
						+ "| --- | --- | --- | --- | --- | --- | --- | --- |%n"));
		partLines.forEach(l -> md.append(l).append('\n'));
		List<Double> sortedParts = partRatios.stream().sorted().toList();
		md.append(String.format(Locale.ROOT, "%nMedian job / sum of parts: %.2fx (aim <= 1.2x).%n",
				sortedParts.get(sortedParts.size() / 2)));
		Files.createDirectories(out);
		Files.writeString(out.resolve("scoring.md"), md.toString());
		Json.write(out.resolve("scoring.json"), outcomes);
		System.out.print(md);
		return outcomes;
	}

	private static List<FeatureSpec> features() {
		List<FeatureSpec> features = new ArrayList<>();
		for (int i = 0; i < NUMERIC; i++) {
			features.add(FeatureSpec.numeric("x" + i));
		}
		features.add(FeatureSpec.categorical("cat1"));
		features.add(FeatureSpec.categorical("cat2"));
		return features;
	}

	private static List<ColumnRequest> columns() {
		List<ColumnRequest> columns = new ArrayList<>();
		for (FeatureSpec f : features()) {
			columns.add(f.isNumeric() ? ColumnRequest.numeric(f.name()) : ColumnRequest.string(f.name()));
		}
		return columns;
	}

	private static List<DataFile> files(Path data) {
		return new PartitionedDirectory(data).resolve(LocalDate.of(2000, 1, 1), LocalDate.of(2100, 1, 1));
	}

	/** Trains version 1 on (up to 50,000 rows of) {@code data} into the work store. */
	private static void train(Path work, Path data) throws IOException {
		List<ColumnRequest> columns = new ArrayList<>(columns());
		columns.add(ColumnRequest.string("y"));
		Table all = new ParquetTableReader(data).read(files(data), columns);
		int n = Math.min(all.rows(), 50_000);
		int[] pick = new int[n];
		for (int i = 0; i < n; i++) {
			pick[i] = i;
		}
		Table table = all.select(pick);
		FeatureEncoder.Fitter fitter = new FeatureEncoder.Fitter(features());
		fitter.add(table);
		FeatureEncoder encoder = fitter.encoder();
		LabelEncoding label = LabelEncoding.of("y", Task.BINARY_CLASSIFICATION, List.of("0", "1"), Set.of("0", "1"));
		float[] x = new float[n * encoder.width()];
		encoder.encodeRows(table, null, 0, n, x, 0);
		Hyperparameters hp = new Hyperparameters(2, 1024, 0.005, 0.0, 0, 0.0, 7, null, false);
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(32), encoder.width(), 1);
		Path trainDir = work.resolve("train");
		TrainingResult result = new ModelTrainer().train(
				new ModelTrainer.Request(shape, hp, new TrainingData(x, label.encode(table), null, n, encoder.width()),
						null, trainDir, EpochListener.NONE));
		ModelStore store = new ModelStore(work.resolve("store"));
		Path staged = store.stage("wide");
		Files.copy(trainDir.resolve(ModelTrainer.FINAL_PARAMS), staged.resolve(ModelStore.PARAMS));
		ArtifactMetadata meta = new ArtifactMetadata("wide", 1, Instant.now(), "bench", "bench", "RETRAIN", "bench",
				null, null, encoder.encodings(), label, shape, hp, null, null, null, result, null, null, null, null,
				null, null, null, null)
			.withFiles(ModelStore.hashes(staged, ModelStore.PARAMS));
		Json.write(staged.resolve(ModelStore.METADATA), meta);
		store.commit(staged, "wide", 1);
	}

	/** Seconds of each part of a scoring, timed alone. */
	record Parts(double read, double encode, double score, double write) {

		double sum() {
			return this.read + this.encode + this.score + this.write;
		}

	}

	private static Parts parts(Path work, long rows, String heap) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx" + heap, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
				ScoringBenchmark.class.getName(), "--child=parts", "--work=" + work, "--rows=" + rows));
		Path log = work.resolve("parts-" + rows + ".log");
		Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		if (!p.waitFor(30, TimeUnit.MINUTES)) {
			p.destroyForcibly();
			throw new IllegalStateException("parts did not finish in 30 minutes; see " + log);
		}
		String[] f = Files.readAllLines(log)
			.stream()
			.filter(l -> l.startsWith("PARTS "))
			.reduce((x, y) -> y)
			.orElseThrow(() -> new IllegalStateException("the parts child printed no result; see " + log))
			.split(" ");
		return new Parts(Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
				Double.parseDouble(f[4]));
	}

	/**
	 * The scoring's parts one after the other in this JVM, each over every row and timed
	 * alone: what {@link ScoreStep#score} does interleaved slice by slice. Prints
	 * {@code PARTS <read> <encode> <score> <write>} in seconds.
	 */
	private static void parts(Path work, long rows) throws Exception {
		Path data = work.resolve("data-" + rows);
		ModelStore store = new ModelStore(work.resolve("store"));
		try (ModelArtifact artifact = store.load("wide", 1)) {
			List<ColumnRequest> columns = new ArrayList<>();
			for (FeatureEncoding f : artifact.metadata().features()) {
				columns.add(new ColumnRequest(f.name(), (f.type() == FeatureSpec.FeatureType.NUMERIC)
						? ColumnRequest.Kind.NUMERIC : ColumnRequest.Kind.STRING, true));
			}
			ParquetTableReader reader = new ParquetTableReader(Storage.local(data));
			// read: slice by slice as the job reads, each slice dropped as the job drops
			// it
			long[] read = { 0 };
			long r0 = System.nanoTime();
			for (DataFile file : files(data)) {
				reader.read(file, columns, ScoreStep.SLICE_ROWS, slice -> read[0] += slice.rows());
			}
			double readSeconds = (System.nanoTime() - r0) / 1e9;
			// the slices again, kept this time (not timed), and the array for the encoded
			// rows
			List<Table> slices = new ArrayList<>();
			for (DataFile file : files(data)) {
				reader.read(file, columns, ScoreStep.SLICE_ROWS, slices::add);
			}
			int width = artifact.encoder().width();
			float[] x = new float[Math.toIntExact(rows) * width];
			float[] batch = new float[ScoreStep.SLICE_ROWS * width];
			System.gc();
			// encode: each slice into one reused batch, as the job's encoder does
			int at = 0;
			long e0 = System.nanoTime();
			for (Table slice : slices) {
				artifact.encoder().encodeRows(slice, null, 0, slice.rows(), batch, 0);
				System.arraycopy(batch, 0, x, at * width, slice.rows() * width);
				at += slice.rows();
			}
			double encodeSeconds = (System.nanoTime() - e0) / 1e9;
			if (read[0] != rows || at != rows) {
				throw new IllegalStateException(
						"the parts read " + read[0] + " and encoded " + at + " of " + rows + " rows");
			}
			slices = null;
			// score: the bare loop over the encoded rows
			double[] scores;
			try (LoadedModel model = LoadedModel.load(artifact.metadata().shape(),
					store.versionDir("wide", 1).resolve(ModelStore.PARAMS))) {
				model.predict(java.util.Arrays.copyOf(x, ScoreStep.SLICE_ROWS * width), ScoreStep.SLICE_ROWS);
				long s0 = System.nanoTime();
				scores = model.predict(x, at).scores();
				long s1 = System.nanoTime();
				// write: the same predictions (score and label), slice by slice
				Path out = work.resolve("parts-predictions-" + rows + ".parquet");
				long w0 = System.nanoTime();
				try (PredictionsWriter writer = new PredictionsWriter(out, false, true, 8L << 20)) {
					double[] part = new double[ScoreStep.SLICE_ROWS];
					String[] labels = new String[ScoreStep.SLICE_ROWS];
					for (int start = 0; start < at; start += ScoreStep.SLICE_ROWS) {
						int n = Math.min(ScoreStep.SLICE_ROWS, at - start);
						for (int r = 0; r < n; r++) {
							part[r] = scores[start + r];
							labels[r] = (part[r] >= 0.5) ? "1" : "0";
						}
						writer.append(null, 1, part, labels, n);
					}
				}
				long w1 = System.nanoTime();
				System.out.printf(Locale.ROOT, "PARTS %.4f %.4f %.4f %.4f%n", readSeconds, encodeSeconds,
						(s1 - s0) / 1e9, (w1 - w0) / 1e9);
			}
		}
		System.exit(0);
	}

	private static Outcome inChild(String how, Path work, long rows, String heap)
			throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx" + heap, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
				ScoringBenchmark.class.getName(), "--child=" + how, "--work=" + work, "--rows=" + rows));
		Path log = work.resolve(how + "-" + rows + ".log");
		Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		if (!p.waitFor(30, TimeUnit.MINUTES)) {
			p.destroyForcibly();
			throw new IllegalStateException(how + " did not finish in 30 minutes; see " + log);
		}
		String result = Files.readAllLines(log)
			.stream()
			.filter(l -> l.startsWith("RESULT "))
			.reduce((x, y) -> y)
			.orElse("RESULT crashed_(see_" + log + ") 0 0 0");
		String[] f = result.split(" ");
		double seconds = Double.parseDouble(f[2]);
		return new Outcome(how, rows, heap, seconds, (seconds > 0) ? rows / seconds : 0, Long.parseLong(f[3]),
				Long.parseLong(f[4]), f[1].replace('_', ' '));
	}

	/**
	 * Runs in the child JVM; prints {@code RESULT <outcome> <seconds> <peak heap MiB>
	 * <peak RSS MiB>} last.
	 */
	private static void child(String how, Path work, long rows) throws Exception {
		String outcome = "ok";
		double seconds = 0;
		Path data = work.resolve("data-" + rows);
		ModelStore store = new ModelStore(work.resolve("store"));
		try (ModelArtifact artifact = store.load("wide", 1)) {
			if (how.equals("job")) {
				Path out = work.resolve("predictions-" + rows + ".parquet");
				long start = System.nanoTime();
				ScoreStep.Scored scored = ScoreStep.score(Storage.local(data), files(data), artifact, null, 1.0, out);
				seconds = (System.nanoTime() - start) / 1e9;
				if (scored.rows() != rows) {
					outcome = "wrong: " + scored.rows() + " rows";
				}
			}
			else {
				Table table = new ParquetTableReader(data).read(files(data), columns());
				float[] x = new float[table.rows() * artifact.encoder().width()];
				artifact.encoder().encodeRows(table, null, 0, table.rows(), x, 0);
				int n = table.rows();
				table = null;
				try (LoadedModel model = LoadedModel.load(artifact.metadata().shape(),
						store.versionDir("wide", 1).resolve(ModelStore.PARAMS))) {
					// one warm-up pass of a slice, as the job's first slice warms it
					model.predict(java.util.Arrays.copyOf(x, 8192 * artifact.encoder().width()), 8192);
					long start = System.nanoTime();
					double[] scores = model.predict(x, n).scores();
					seconds = (System.nanoTime() - start) / 1e9;
					if (scores.length != rows) {
						outcome = "wrong: " + scores.length + " scores";
					}
				}
			}
		}
		catch (OutOfMemoryError ex) {
			outcome = "OutOfMemoryError";
		}
		long heap = 0;
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			if (pool.getType() == MemoryType.HEAP) {
				heap += pool.getPeakUsage().getUsed();
			}
		}
		System.out.println("RESULT " + outcome.replace(' ', '_') + " " + seconds + " " + (heap >> 20) + " "
				+ (JobMemoryBenchmark.peakRssKb() >> 10));
		System.exit(0);
	}

}

package dev.retrain.models.bench;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.Task;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.json.Json;
import dev.retrain.models.storage.Location;
import dev.retrain.models.storage.S3TestServer;
import dev.retrain.models.storage.Storage;
import dev.retrain.models.training.EpochListener;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelSource;
import dev.retrain.models.training.ModelTrainer;
import dev.retrain.models.training.TorchScriptModules;
import dev.retrain.models.training.TrainingData;

/**
 * Speed next to a peer, measured in one run on the same input: (1) Parquet (snappy) into
 * training arrays, our column reader vs DuckDB's JDBC reading the same file into Java
 * arrays; (2) training samples/s, the pipeline's trainer vs a bare DJL loop on the same
 * arrays and network; (3) Parquet read from the S3 server against the same files on local
 * disk, same reader. Prints medians and the median of the paired ratios, writes JSON and
 * Markdown. Arguments: {@code --rows=N --train-rows=N --repeats=N --out=DIR}, and
 * {@code --object-storage-only} for (3) alone.
 */
public final class Benchmarks {

	private Benchmarks() {
	}

	static final int NUMERIC = 20;

	/**
	 * One measured comparison: ours vs the peer, in units per second (medians of the
	 * repeats).
	 */
	public record Result(String name, String unit, double ours, double peer, String peerName, double ratio,
			List<Double> oursRuns, List<Double> peerRuns) {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = new LinkedHashMap<>();
		for (String arg : args) {
			String[] kv = arg.replaceFirst("^--", "").split("=", 2);
			a.put(kv[0], (kv.length > 1) ? kv[1] : "true");
		}
		if (a.containsKey("child")) {
			child(a);
			return;
		}
		List<Long> sizes = longs(a.getOrDefault("rows", "1000000,10000000"));
		List<Integer> threads = ints(a.getOrDefault("threads", "1,2"));
		int trainRows = Integer.parseInt(a.getOrDefault("train-rows", "200000"));
		int repeats = Integer.parseInt(a.getOrDefault("repeats", "5"));
		int driftRef = Integer.parseInt(a.getOrDefault("drift-ref", "1000000"));
		int driftCur = Integer.parseInt(a.getOrDefault("drift-cur", "100000"));
		List<Long> memoryRows = longs(a.getOrDefault("memory-rows", "1000000,10000000"));
		String heap = a.getOrDefault("memory-heap", "1g");
		Path out = Path.of(a.getOrDefault("out", "target/benchmarks"));
		Files.createDirectories(out);
		List<Result> results = new ArrayList<>();
		if (a.containsKey("training-only")) {
			results.add(training(trainRows, repeats, out));
			results.add(trainingTorchScript(trainRows, repeats, out));
			for (int t : threads) {
				results.add(trainingInChild("training", trainRows, repeats, t, out));
				results.add(trainingInChild("training-torchscript", trainRows, repeats, t, out));
			}
			report(out, results, List.of());
			System.out.println(Files.readString(out.resolve("results.md")));
			return;
		}
		if (a.containsKey("object-storage-only")) {
			for (long rows : sizes) {
				for (int t : threads) {
					results.add(objectStorage(data(out, rows), rows, t, repeats));
				}
			}
			report(out, results, List.of());
			System.out.println(Files.readString(out.resolve("results.md")));
			return;
		}
		for (long rows : sizes) {
			Path data = data(out, rows);
			for (int t : threads) {
				results.add(ingest(data, rows, t, repeats));
				report(out, results, List.of());
			}
		}
		long smallest = sizes.stream().mapToLong(Long::longValue).min().orElse(0);
		if (smallest > 0) {
			results.add(ingest(data(out, smallest, CompressionCodecName.UNCOMPRESSED), smallest, 1, repeats));
			for (int t : threads) {
				results.add(objectStorage(data(out, smallest), smallest, t, repeats));
				report(out, results, List.of());
			}
		}
		results.add(training(trainRows, repeats, out));
		results.add(trainingTorchScript(trainRows, repeats, out));
		for (int t : threads) {
			results.add(trainingInChild(trainRows, Math.max(1, repeats / 2), t, out));
		}
		results.add(drift(out, driftRef, driftCur, 20, repeats));
		report(out, results, List.of());
		List<MemoryBenchmark.Result> memory = new ArrayList<>();
		for (long rows : memoryRows) {
			memory.add(MemoryBenchmark.runChild(data(out, rows), rows, "stream", heap, out));
			report(out, results, memory);
		}
		long largest = memoryRows.stream().mapToLong(Long::longValue).max().orElse(0);
		if (largest > 0) {
			memory.add(MemoryBenchmark.runChild(data(out, largest), largest, "memory", heap, out));
		}
		report(out, results, memory);
		System.out.println(Files.readString(out.resolve("results.md")));
	}

	/** Smoke size: ingest with 1 and 2 threads and training, in this JVM. */
	public static List<Result> run(long rows, int trainRows, int repeats, Path out) throws Exception {
		Files.createDirectories(out);
		Path data = data(out, rows);
		List<Result> results = new ArrayList<>();
		results.add(ingest(data, rows, 1, repeats));
		results.add(ingest(data, rows, 2, repeats));
		results.add(objectStorage(data, rows, 2, repeats));
		results.add(training(trainRows, repeats, out));
		results.add(trainingTorchScript(trainRows, repeats, out));
		report(out, results, List.of());
		return results;
	}

	private static void report(Path out, List<Result> results, List<MemoryBenchmark.Result> memory) throws IOException {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("machine",
				Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version"));
		json.put("results", results);
		json.put("memory", memory);
		Json.write(out.resolve("results.json"), json);
		String md = markdown(results) + (memory.isEmpty() ? "" : "\n" + MemoryBenchmark.markdown(memory));
		Files.writeString(out.resolve("results.md"), md);
	}

	private static void child(Map<String, String> a) throws Exception {
		switch (a.get("child")) {
			case "memory" -> MemoryBenchmark.child(a);
			case "training" -> Json.write(Path.of(a.get("result")), training(Integer.parseInt(a.get("train-rows")),
					Integer.parseInt(a.get("repeats")), Path.of(a.get("out"))));
			case "training-torchscript" ->
				Json.write(Path.of(a.get("result")), trainingTorchScript(Integer.parseInt(a.get("train-rows")),
						Integer.parseInt(a.get("repeats")), Path.of(a.get("out"))));
			default -> throw new IllegalArgumentException("unknown child " + a.get("child"));
		}
	}

	/**
	 * Starts this class in a new JVM (same class path) as {@code --child=<what>}, with
	 * PyTorch and OpenMP limited to {@code torchThreads} threads.
	 */
	static Process javaChild(List<String> jvmArgs, String what, List<String> args, int torchThreads)
			throws IOException {
		List<String> cmd = new ArrayList<>();
		cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		cmd.addAll(jvmArgs);
		cmd.add("-Dai.djl.offline=true");
		cmd.add("-Dai.djl.pytorch.num_threads=" + torchThreads);
		cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
		cmd.add("-cp");
		cmd.add(System.getProperty("java.class.path"));
		cmd.add(Benchmarks.class.getName());
		cmd.add("--child=" + what);
		cmd.addAll(args);
		ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
		pb.environment().put("OMP_NUM_THREADS", Integer.toString(torchThreads));
		return pb.start();
	}

	/**
	 * The training comparison in a JVM whose PyTorch uses {@code threads} intra-op
	 * threads.
	 */
	static Result trainingInChild(int rows, int repeats, int threads, Path out) throws Exception {
		return trainingInChild("training", rows, repeats, threads, out);
	}

	static Result trainingInChild(String what, int rows, int repeats, int threads, Path out) throws Exception {
		Path result = Files.createTempFile(out, "training-", ".json");
		int code = javaChild(List.of("-Xmx2g"), what,
				List.of("--train-rows=" + rows, "--repeats=" + repeats, "--out=" + out, "--result=" + result), threads)
			.waitFor();
		if (code != 0) {
			throw new IllegalStateException("training child with " + threads + " threads exited with " + code);
		}
		return Json.read(result, Result.class);
	}

	/**
	 * Day partitions of 1M rows (fewer for small sizes) from the product's generator,
	 * written once per size.
	 */
	static Path data(Path out, long rows) throws IOException {
		return data(out, rows, CompressionCodecName.SNAPPY);
	}

	static Path data(Path out, long rows, CompressionCodecName codec) throws IOException {
		Path dir = out.resolve("data-" + rows
				+ ((codec == CompressionCodecName.SNAPPY) ? "" : "-" + codec.name().toLowerCase(Locale.ROOT)));
		if (!Files.exists(dir.resolve("complete"))) {
			int perDay = (int) Math.min(1_000_000, Math.max(1, rows / 2));
			new SampleDataGenerator().writeWide(dir, LocalDate.of(2026, 1, 1), rows, perDay, NUMERIC, 1, codec);
			Files.writeString(dir.resolve("complete"), "");
		}
		return dir;
	}

	static List<Long> longs(String csv) {
		return java.util.Arrays.stream(csv.split(",")).filter(x -> !x.isBlank()).map(Long::parseLong).toList();
	}

	static List<Integer> ints(String csv) {
		return java.util.Arrays.stream(csv.split(",")).filter(x -> !x.isBlank()).map(Integer::parseInt).toList();
	}

	static Result ingest(Path data, long rows, int threads, int repeats) throws Exception {
		List<ColumnRequest> columns = wideColumns();
		List<DataFile> files = MemoryBenchmark.files(data);
		ParquetTableReader reader = new ParquetTableReader(data, threads);
		List<Double> ours = new ArrayList<>();
		List<Double> peer = new ArrayList<>();
		double oursSum = 0;
		double peerSum = 0;
		try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
			try (Statement s = duck.createStatement()) {
				s.execute("SET threads TO " + threads);
			}
			for (int rep = 0; rep <= repeats; rep++) {
				long t0 = System.nanoTime();
				Table t = reader.read(files, columns);
				long t1 = System.nanoTime();
				oursSum = checksum(t);
				t = null;
				double[][] dv = new double[NUMERIC][(int) rows];
				String[][] sv = new String[2][(int) rows];
				long t2 = System.nanoTime();
				readDuck(duck, data, files, dv, sv);
				long t3 = System.nanoTime();
				peerSum = checksum(dv, sv);
				if (rep > 0) {
					ours.add(rows / ((t1 - t0) / 1e9));
					peer.add(rows / ((t3 - t2) / 1e9));
				}
			}
		}
		if (Math.abs(oursSum - peerSum) > 1e-6 * Math.max(1, Math.abs(oursSum))) {
			throw new IllegalStateException("readers disagree: " + oursSum + " vs " + peerSum);
		}
		String codec = data.getFileName().toString().contains("uncompressed") ? "uncompressed" : "snappy";
		return result(String.format(Locale.ROOT,
				"Parquet -> arrays (%,d rows x 20 double + 2 string, %s, %d file(s), %d thread(s))", rows, codec,
				files.size(), threads), "rows/s", ours, peer, "DuckDB JDBC, threads=" + threads);
	}

	/**
	 * The same reader on the same files, from the S3-compatible test server (a process of
	 * its own on loopback, by ranged requests) against local disk: what object storage
	 * costs. The ratio is S3 rows/s over local rows/s.
	 */
	static Result objectStorage(Path data, long rows, int threads, int repeats) throws Exception {
		List<ColumnRequest> columns = wideColumns();
		List<DataFile> files = MemoryBenchmark.files(data);
		S3TestServer s3 = S3TestServer.get();
		String bucket = "bench-" + System.nanoTime();
		s3.createBucket(bucket);
		s3.upload(data, bucket, "data");
		Location remote = Storage.locate("s3://" + bucket + "/data", data, s3.settings());
		ParquetTableReader fromS3 = new ParquetTableReader(remote, threads);
		ParquetTableReader fromDisk = new ParquetTableReader(data, threads);
		List<Double> ours = new ArrayList<>();
		List<Double> peer = new ArrayList<>();
		for (int rep = 0; rep <= repeats; rep++) {
			long t0 = System.nanoTime();
			double remoteSum = checksum(fromS3.read(files, columns));
			long t1 = System.nanoTime();
			double localSum = checksum(fromDisk.read(files, columns));
			long t2 = System.nanoTime();
			if (remoteSum != localSum) {
				throw new IllegalStateException("S3 and disk disagree: " + remoteSum + " vs " + localSum);
			}
			if (rep > 0) {
				ours.add(rows / ((t1 - t0) / 1e9));
				peer.add(rows / ((t2 - t1) / 1e9));
			}
		}
		return result(String.format(Locale.ROOT,
				"Parquet from S3 (S3Mock on loopback) -> arrays (%,d rows, snappy, %d file(s), %d thread(s))", rows,
				files.size(), threads), "rows/s", ours, peer, "the same reader on local disk");
	}

	/** The columns of the wide sample data: x0..x19 and two strings. */
	static List<ColumnRequest> wideColumns() {
		List<ColumnRequest> columns = new ArrayList<>();
		for (int c = 0; c < NUMERIC; c++) {
			columns.add(ColumnRequest.numeric("x" + c));
		}
		columns.add(ColumnRequest.string("cat1"));
		columns.add(ColumnRequest.string("cat2"));
		return columns;
	}

	static void readDuck(Connection duck, Path root, List<DataFile> files, double[][] dv, String[][] sv)
			throws SQLException {
		StringBuilder cols = new StringBuilder();
		for (int c = 0; c < NUMERIC; c++) {
			cols.append("x").append(c).append(", ");
		}
		String list = files.stream()
			.map(f -> "'" + root.resolve(f.path()).toAbsolutePath() + "'")
			.collect(java.util.stream.Collectors.joining(", "));
		try (Statement s = duck.createStatement();
				ResultSet rs = s.executeQuery("SELECT " + cols + "cat1, cat2 FROM read_parquet([" + list + "])")) {
			int r = 0;
			while (rs.next()) {
				for (int c = 0; c < NUMERIC; c++) {
					dv[c][r] = rs.getDouble(c + 1);
				}
				sv[0][r] = rs.getString(NUMERIC + 1);
				sv[1][r] = rs.getString(NUMERIC + 2);
				r++;
			}
		}
	}

	static double checksum(Table t) {
		double sum = 0;
		for (int c = 0; c < NUMERIC; c++) {
			for (double v : ((NumericColumn) t.column("x" + c)).values()) {
				sum += v;
			}
		}
		for (String name : List.of("cat1", "cat2")) {
			for (String s : ((StringColumn) t.column(name)).values()) {
				sum += s.length();
			}
		}
		return sum;
	}

	static double checksum(double[][] dv, String[][] sv) {
		double sum = 0;
		for (double[] col : dv) {
			for (double v : col) {
				sum += v;
			}
		}
		for (String[] col : sv) {
			for (String s : col) {
				sum += s.length();
			}
		}
		return sum;
	}

	static Result training(int rows, int repeats, Path out) throws Exception {
		int width = 24;
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(32, 16), width, 1);
		return trainingComparison("Training MLP 24-32-16-1", "bare DJL loop (same network, batches, loss)", shape, null,
				rows, 2, repeats, out);
	}

	/**
	 * A user's TorchScript module of the built-in MLP's shape (17-32-16-1, made by
	 * {@code make_fixtures.py}) trained through the product's trainer, against the bare
	 * DJL loop over the same module loaded the same way.
	 */
	static Result trainingTorchScript(int rows, int repeats, Path out) throws Exception {
		Path module = out.resolve("mlp_w17_o1.pt");
		try (var in = Benchmarks.class.getResourceAsStream("/torchscript/mlp_w17_o1.pt")) {
			Files.copy(in, module, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		}
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.TORCHSCRIPT, List.of(), 17, 1,
				new ModelSource(module.toString(), null));
		return trainingComparison("Training a TorchScript module 17-32-16-1",
				"bare DJL loop (the same TorchScript module, batches, loss)", shape, module, rows, 3, repeats, out);
	}

	/**
	 * The product's trainer against the bare loop on the same synthetic binary task
	 * (seeded by {@code seed}), 2 epochs of batch 512, back to back in each repeat.
	 */
	private static Result trainingComparison(String name, String peerName, ModelShape shape, Path module, int rows,
			long seed, int repeats, Path out) throws Exception {
		int width = shape.inputs();
		TrainingData data = syntheticBinary(rows, width, seed);
		float[] x = data.features();
		double[] y = data.targets();
		int epochs = 2;
		int batch = 512;
		Hyperparameters hp = new Hyperparameters(epochs, batch, 0.005, 0.0, 0, 0.0, 7, null, false);
		List<Double> ours = new ArrayList<>();
		List<Double> peer = new ArrayList<>();
		for (int rep = 0; rep <= repeats; rep++) {
			Path dir = Files.createTempDirectory(out, "train");
			long t0 = System.nanoTime();
			new ModelTrainer().train(new ModelTrainer.Request(shape, hp, data, module, dir, EpochListener.NONE));
			long t1 = System.nanoTime();
			bareLoop(shape, module, x, y, rows, width, epochs, batch);
			long t2 = System.nanoTime();
			if (rep > 0) {
				ours.add((double) rows * epochs / ((t1 - t0) / 1e9));
				peer.add((double) rows * epochs / ((t2 - t1) / 1e9));
			}
		}
		return result(
				name + ", batch " + batch + ", Adam, " + rows + " rows x " + epochs + " epochs, "
						+ System.getProperty("ai.djl.pytorch.num_threads", "default") + " PyTorch thread(s)",
				"samples/s", ours, peer, peerName);
	}

	/**
	 * The benchmarks' synthetic binary task: Gaussian inputs, the label a noisy sign of a
	 * fixed linear mix of them (seeded).
	 */
	public static TrainingData syntheticBinary(int rows, int width, long seed) {
		SplittableRandom rnd = new SplittableRandom(seed);
		float[] x = new float[rows * width];
		double[] y = new double[rows];
		for (int i = 0; i < rows; i++) {
			double z = 0;
			for (int j = 0; j < width; j++) {
				x[i * width + j] = (float) rnd.nextGaussian();
				z += x[i * width + j] * ((j % 3) - 1);
			}
			y[i] = (z + rnd.nextGaussian() > 0) ? 1 : 0;
		}
		return new TrainingData(x, y, null, rows, width);
	}

	/** The textbook DJL loop: no shuffling, checkpoints, validation or weighting. */
	static void bareLoop(ModelShape shape, float[] x, double[] y, int rows, int width, int epochs, int batch) {
		bareLoop(shape, null, x, y, rows, width, epochs, batch);
	}

	/**
	 * The same over a TorchScript module loaded from {@code module} with trainable
	 * parameters (a built-in shape's block when null).
	 */
	static void bareLoop(ModelShape shape, Path module, float[] x, double[] y, int rows, int width, int epochs,
			int batch) {
		Engine.getInstance().setRandomSeed(7);
		float[] labels = new float[rows];
		for (int i = 0; i < rows; i++) {
			labels[i] = (float) y[i];
		}
		try (Model model = Model.newInstance("bare")) {
			model.setBlock(
					(module != null) ? TorchScriptModules.load(module, model.getNDManager(), true) : shape.newBlock());
			DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
				.optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
				.optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.005f)).build());
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(1, width));
				for (int e = 0; e < epochs; e++) {
					for (int start = 0; start < rows; start += batch) {
						int n = Math.min(batch, rows - start);
						try (NDManager m = trainer.getManager().newSubManager()) {
							NDArray xs = m.create(FloatBuffer.wrap(x, start * width, n * width), new Shape(n, width));
							NDArray ys = m.create(FloatBuffer.wrap(labels, start, n), new Shape(n, 1));
							try (GradientCollector gc = trainer.newGradientCollector()) {
								NDArray z = trainer.forward(new NDList(xs)).singletonOrThrow();
								NDArray loss = trainer.getLoss().evaluate(new NDList(ys), new NDList(z));
								gc.backward(loss);
							}
							trainer.step();
						}
					}
				}
			}
		}
	}

	/**
	 * Ours and the peer run back to back in each repeat, so the ratio is the median of
	 * the per-repeat ratios: on a shared, noisy machine that cancels most of the load
	 * both sides saw.
	 */
	/**
	 * One drift check's statistics next to numpy/scipy (see {@link DriftBenchmark}); in
	 * checks per second.
	 */
	static Result drift(Path out, int ref, int cur, int features, int repeats) throws Exception {
		DriftBenchmark.Result r = DriftBenchmark.run(Files.createTempDirectory(out, "drift"), ref, cur, features,
				repeats);
		return new Result(String.format(Locale.ROOT,
				"Drift check, %,d reference x %,d current rows x %d features (KS, Wasserstein, PSI incl. sorting; largest difference from scipy %.1e)",
				ref, cur, features, r.maxAbsDifference()), "checks/s", 1 / r.oursSeconds(), 1 / r.scipySeconds(),
				"numpy/scipy (ks_2samp, wasserstein_distance, quantile + searchsorted)", r.ratio(),
				List.of(r.oursSeconds()), List.of(r.scipySeconds()));
	}

	static Result result(String name, String unit, List<Double> ours, List<Double> peer, String peerName) {
		List<Double> ratios = new ArrayList<>();
		for (int i = 0; i < ours.size(); i++) {
			ratios.add(ours.get(i) / peer.get(i));
		}
		return new Result(name, unit, median(ours), median(peer), peerName, median(ratios), ours, peer);
	}

	static double median(List<Double> values) {
		double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return (v.length % 2 == 1) ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
	}

	static String markdown(List<Result> results) {
		StringBuilder sb = new StringBuilder(
				"| benchmark | ours (median) | peer (median) | peer is | ours / peer (median of paired runs) |\n| --- | --- | --- | --- | --- |\n");
		for (Result r : results) {
			sb.append(String.format(Locale.ROOT, "| %s | %,.1f %s | %,.1f %s | %s | %.2f |%n", r.name(), r.ours(),
					r.unit(), r.peer(), r.unit(), r.peerName(), r.ratio()));
		}
		return sb.toString();
	}

}

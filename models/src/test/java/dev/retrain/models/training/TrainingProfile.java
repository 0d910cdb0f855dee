package dev.retrain.models.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import dev.retrain.models.bench.Benchmarks;
import dev.retrain.models.features.Task;

/**
 * Where the product's training spends what a bare DJL loop does not (#29 item 3): a
 * ladder of loops over the same rows, each adding one thing the product's
 * {@link ModelTrainer} does, timed back to back in every repeat (the order rotated), so
 * the step between two rungs is the price of that one thing:
 * <ol>
 * <li>{@code bare}: the benchmark's bare loop (rows in order, contiguous slices, DJL's
 * sigmoid cross-entropy, DJL's Adam, Xavier);</li>
 * <li>{@code +shuffle}: batches gathered from a seeded permutation of the rows, each
 * epoch its own, as the product's {@link TrainingData} visits them;</li>
 * <li>{@code +loss}: the product's loss ({@link ModelTrainer#loss}) and the epoch's loss
 * sum read back every batch ({@code getFloat}, a copy from the engine);</li>
 * <li>{@code +adam}: the product's optimizer ({@link CheckpointedAdam}) and initialiser
 * ({@link SeededXavier});</li>
 * <li>{@code product}: {@link ModelTrainer#train} itself (adds per-epoch checkpoints, the
 * best parameters' snapshot, the lock per batch);</li>
 * </ol>
 * and {@code gather}: the shuffled batch copies alone, with no training. A profile by
 * construction rather than by sampling: JFR does not see inside PyTorch, where most of a
 * batch goes. Not a test; run with
 * {@code java -cp <models test class path> dev.retrain.models.training.TrainingProfile --module=mlp|torchscript}.
 */
public final class TrainingProfile {

	private static final int EPOCHS = 2;

	private static final int BATCH = 512;

	private static final float LR = 0.005f;

	/** Where the gather's values go, so that the JIT cannot drop the copies. */
	static volatile double sunk;

	private TrainingProfile() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = new LinkedHashMap<>();
		for (String arg : args) {
			String[] kv = arg.replaceFirst("^--", "").split("=", 2);
			a.put(kv[0], (kv.length > 1) ? kv[1] : "true");
		}
		int rows = Integer.parseInt(a.getOrDefault("rows", "200000"));
		int repeats = Integer.parseInt(a.getOrDefault("repeats", "7"));
		boolean torchScript = "torchscript".equals(a.getOrDefault("module", "torchscript"));
		Path out = Files.createTempDirectory("training-profile");
		Path module = null;
		ModelShape shape;
		if (torchScript) {
			module = out.resolve("mlp_w17_o1.pt");
			try (var in = TrainingProfile.class.getResourceAsStream("/torchscript/mlp_w17_o1.pt")) {
				Files.copy(in, module, StandardCopyOption.REPLACE_EXISTING);
			}
			shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.TORCHSCRIPT, List.of(), 17, 1,
					new ModelSource(module.toString(), null));
		}
		else {
			shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(32, 16), 24, 1);
		}
		TrainingData data = Benchmarks.syntheticBinary(rows, shape.inputs(), 3);
		Path m = module;
		Map<String, Runnable> rungs = new LinkedHashMap<>();
		rungs.put("bare", () -> ladder(shape, m, data, false, false, false));
		rungs.put("+shuffle", () -> ladder(shape, m, data, true, false, false));
		rungs.put("+loss", () -> ladder(shape, m, data, true, true, false));
		rungs.put("+adam", () -> ladder(shape, m, data, true, true, true));
		rungs.put("product", () -> product(shape, m, data, out));
		rungs.put("gather", () -> gather(data));
		Map<String, List<Double>> ms = new LinkedHashMap<>();
		rungs.keySet().forEach(k -> ms.put(k, new ArrayList<>()));
		List<String> names = new ArrayList<>(rungs.keySet());
		for (int rep = 0; rep <= repeats; rep++) {
			for (int i = 0; i < names.size(); i++) {
				String name = names.get((i + rep) % names.size());
				long t0 = System.nanoTime();
				rungs.get(name).run();
				double took = (System.nanoTime() - t0) / 1e6;
				if (rep > 0) {
					ms.get(name).add(took);
				}
			}
		}
		double bare = median(ms.get("bare"));
		System.out.printf(Locale.ROOT,
				"%s, %,d rows x %d epochs, batch %d, %s PyTorch thread(s), %d repeats, load %s%n",
				torchScript ? "TorchScript module 17-32-16-1" : "built-in MLP 24-32-16-1", rows, EPOCHS, BATCH,
				System.getProperty("ai.djl.pytorch.num_threads", "default"), repeats, loadAverage());
		System.out.println("| rung | median ms | step from the rung above, ms | bare / rung |");
		System.out.println("| --- | ---: | ---: | ---: |");
		double previous = Double.NaN;
		for (String name : names) {
			double med = median(ms.get(name));
			String step = (Double.isNaN(previous) || name.equals("gather")) ? ""
					: String.format(Locale.ROOT, "%+.1f", med - previous);
			System.out.printf(Locale.ROOT, "| %s | %.1f | %s | %s |%n", name, med, step,
					name.equals("gather") ? "" : String.format(Locale.ROOT, "%.2f", bare / med));
			if (!name.equals("gather")) {
				previous = med;
			}
		}
	}

	private static void ladder(ModelShape shape, Path module, TrainingData data, boolean shuffle, boolean productLoss,
			boolean productAdam) {
		Engine.getInstance().setRandomSeed(7);
		int width = data.width();
		int rows = data.rows();
		float[] labels = new float[rows];
		for (int i = 0; i < rows; i++) {
			labels[i] = (float) data.targets()[i];
		}
		try (Model model = Model.newInstance("ladder")) {
			Supplier<Block> block = () -> (module != null) ? TorchScriptModules.load(module, model.getNDManager(), true)
					: shape.newBlock();
			model.setBlock(block.get());
			Optimizer optimizer = productAdam ? new CheckpointedAdam(LR, 0f)
					: Optimizer.adam().optLearningRateTracker(Tracker.fixed(LR)).build();
			DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
				.optInitializer(productAdam ? new SeededXavier(7) : new XavierInitializer(), Parameter.Type.WEIGHT)
				.optOptimizer(optimizer);
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(1, width));
				TrainingSource.Split split = data.split(0, 7);
				float[] yb = new float[BATCH];
				double[] lossSum = { 0 };
				for (int e = 0; e < EPOCHS; e++) {
					if (shuffle) {
						split.visit(false, BATCH, 7L * 31 + e, (xb, targets, w, n) -> {
							for (int i = 0; i < n; i++) {
								yb[i] = (float) targets[i];
							}
							lossSum[0] += batch(trainer, FloatBuffer.wrap(xb, 0, n * width), FloatBuffer.wrap(yb, 0, n),
									n, width, productLoss);
						});
					}
					else {
						for (int start = 0; start < rows; start += BATCH) {
							int n = Math.min(BATCH, rows - start);
							lossSum[0] += batch(trainer, FloatBuffer.wrap(data.features(), start * width, n * width),
									FloatBuffer.wrap(labels, start, n), n, width, productLoss);
						}
					}
				}
			}
		}
	}

	private static double batch(Trainer trainer, FloatBuffer xb, FloatBuffer yb, int n, int width,
			boolean productLoss) {
		try (NDManager m = trainer.getManager().newSubManager()) {
			NDArray xs = m.create(xb, new Shape(n, width));
			double sum = 0;
			try (GradientCollector gc = trainer.newGradientCollector()) {
				NDArray z = trainer.forward(new NDList(xs)).singletonOrThrow();
				NDArray loss;
				if (productLoss) {
					loss = ModelTrainer.loss(Task.BINARY_CLASSIFICATION, z, m.create(yb, new Shape(n)), null, n);
					sum = loss.getFloat() * n;
				}
				else {
					loss = trainer.getLoss().evaluate(new NDList(m.create(yb, new Shape(n, 1))), new NDList(z));
				}
				gc.backward(loss);
			}
			trainer.step();
			return sum;
		}
	}

	private static void product(ModelShape shape, Path module, TrainingData data, Path out) {
		try {
			Path dir = Files.createTempDirectory(out, "train");
			Hyperparameters hp = new Hyperparameters(EPOCHS, BATCH, LR, 0.0, 0, 0.0, 7, null, false);
			new ModelTrainer().train(new ModelTrainer.Request(shape, hp, data, module, dir, EpochListener.NONE));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void gather(TrainingData data) {
		TrainingSource.Split split = data.split(0, 7);
		double[] sink = { 0 };
		for (int e = 0; e < EPOCHS; e++) {
			split.visit(false, BATCH, 7L * 31 + e, (xb, targets, w, n) -> sink[0] += xb[n - 1] + targets[0]);
		}
		sunk = sink[0];
	}

	private static double median(List<Double> v) {
		double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
		return (s.length % 2 == 1) ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
	}

	private static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).trim();
		}
		catch (IOException ex) {
			return "unknown";
		}
	}

}

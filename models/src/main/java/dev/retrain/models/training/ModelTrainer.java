package dev.retrain.models.training;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.retrain.models.faults.Failpoints;
import dev.retrain.models.features.Task;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.json.Json;

/**
 * Trains a network with DJL on the batches of a {@link TrainingSource} (arrays in memory,
 * or Parquet row groups streamed): mini-batch Adam, a seeded shuffle per epoch, early
 * stopping on an internal validation split, and a checkpoint after every epoch in
 * {@code workDir} so that a restarted run resumes at the next epoch instead of starting
 * over. The kept parameters (best validation loss) end up in
 * {@code workDir/final.params}. With {@link Solver#NEWTON} a linear model is fitted
 * exactly instead ({@link NewtonSolver}), with the same checkpoints and result.
 *
 * <p>
 * DJL's PyTorch engine allows one {@link GradientCollector} per JVM at a time (a global
 * flag, not a per-thread one), so each batch's forward, backward and update hold a
 * JVM-wide lock: trainings of several pipelines interleave batch by batch instead of
 * failing.
 *
 * <p>
 * Restored on resume: parameters, best parameters, curve, early-stopping counters, the
 * shuffle order (seeded per epoch) and Adam's moment estimates and step count
 * ({@link CheckpointedAdam}), so a resumed training ends where an uninterrupted one
 * would.
 */
public final class ModelTrainer {

	public static final String FINAL_PARAMS = "final.params";

	private static final String CHECKPOINT = "checkpoint.json";

	private static final String LAST = "last.params";

	private static final String BEST = "best.params";

	private static final String OPTIMIZER = "optimizer.state";

	private static final ReentrantLock AUTOGRAD = new ReentrantLock();

	private static final Logger log = LoggerFactory.getLogger(ModelTrainer.class);

	/**
	 * What to train, from where, and where to keep checkpoints. {@code warmStart} may be
	 * null.
	 */
	public record Request(ModelShape shape, Hyperparameters hp, TrainingSource data, Path warmStart, Path workDir,
			EpochListener listener) {
	}

	/**
	 * What a checkpoint remembers besides the parameter files, and the SHA-256 of those
	 * files ({@code files}), so that a file cut short or left from another epoch is
	 * noticed before training resumes from it.
	 */
	public record Checkpoint(String fingerprint, int epoch, int bestEpoch, double bestLoss, int sinceBest,
			boolean finished, boolean stoppedEarly, long samplesSeen, long millis, List<EpochStats> curve,
			Map<String, String> files) {

		public Checkpoint(String fingerprint, int epoch, int bestEpoch, double bestLoss, int sinceBest,
				boolean finished, boolean stoppedEarly, long samplesSeen, long millis, List<EpochStats> curve) {
			this(fingerprint, epoch, bestEpoch, bestLoss, sinceBest, finished, stoppedEarly, samplesSeen, millis, curve,
					Map.of());
		}

		Checkpoint withFiles(Map<String, String> hashes) {
			return new Checkpoint(this.fingerprint, this.epoch, this.bestEpoch, this.bestLoss, this.sinceBest,
					this.finished, this.stoppedEarly, this.samplesSeen, this.millis, this.curve, hashes);
		}

	}

	public TrainingResult train(Request req) {
		TrainingSource data = req.data();
		Hyperparameters hp = req.hp();
		if (data.rowCount() < 2) {
			throw new TrainingFailed("need at least 2 training rows, got " + data.rowCount());
		}
		boolean newton = hp.solver() == Solver.NEWTON;
		if (newton && (req.shape().family() != ModelFamily.LINEAR
				|| req.shape().task() == Task.MULTICLASS_CLASSIFICATION)) {
			throw new TrainingFailed("solver newton fits linear models for binary classification or regression, not "
					+ req.shape().family() + " " + req.shape().task());
		}
		TrainingSource.Split split = data.split((!newton && hp.patience() > 0) ? hp.validationFraction() : 0.0,
				hp.seed());
		String fingerprint = req.shape() + "|" + hp + "|" + data.rowCount() + "x" + data.width() + "|"
				+ req.warmStart();
		Checkpoint ckpt = readCheckpoint(req.workDir(), fingerprint);
		int resumedFrom = (ckpt != null) ? ckpt.epoch() : 0;
		if (ckpt != null && ckpt.finished() && Files.exists(req.workDir().resolve(FINAL_PARAMS))) {
			return result(ckpt, resumedFrom, split);
		}
		// the weights start from this training's own seeded generator, not the engine's
		// process-wide one (see SeededXavier)
		try (Model model = Model.newInstance("candidate")) {
			model.setBlock(req.shape().isTorchScript() ? torchScriptStart(req, ckpt, model) : req.shape().newBlock());
			if (newton) {
				model.getBlock().setInitializer(new SeededXavier(hp.seed()), Parameter.Type.WEIGHT);
				try (NDManager manager = NDManager.newBaseManager()) {
					model.getBlock().initialize(manager, DataType.FLOAT32, new Shape(1, data.width()));
					startFrom(req, ckpt, model, manager);
					return NewtonSolver.fit(req, model.getBlock(), manager, split, ckpt, fingerprint, resumedFrom);
				}
			}
			CheckpointedAdam adam = new CheckpointedAdam((float) hp.learningRate(), (float) hp.weightDecay());
			DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
				.optInitializer(new SeededXavier(hp.seed()), Parameter.Type.WEIGHT)
				.optOptimizer(adam);
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(1, data.width()));
				startFrom(req, ckpt, model, trainer.getManager());
				if (ckpt != null && Files.exists(req.workDir().resolve(OPTIMIZER))) {
					adam.restore(model.getBlock(), req.workDir().resolve(OPTIMIZER));
				}
				return loop(req, trainer, model, adam, ckpt, fingerprint, split, resumedFrom);
			}
		}
	}

	/**
	 * A TorchScript model is the module in a file: the last checkpoint's, else the warm
	 * start's (the champion for a fine-tune, the user's module file for a retrain).
	 */
	private static Block torchScriptStart(Request req, Checkpoint ckpt, Model model) {
		Path start = (ckpt != null) ? req.workDir().resolve(LAST) : req.warmStart();
		if (start == null) {
			throw new TrainingFailed("a TorchScript model trains from a module file, and none was given");
		}
		return TorchScriptModules.load(start, model.getNDManager(), true);
	}

	/**
	 * Parameters to start from: the last checkpoint's, else the warm start's, else the
	 * initialiser's (a TorchScript model was loaded from the right file already).
	 */
	private static void startFrom(Request req, Checkpoint ckpt, Model model, NDManager manager) {
		if (req.shape().isTorchScript()) {
			return;
		}
		if (ckpt != null) {
			ParameterFiles.copyInto(model.getBlock(), req.shape(), req.workDir().resolve(LAST), manager);
		}
		else if (req.warmStart() != null) {
			ParameterFiles.copyInto(model.getBlock(), req.shape(), req.warmStart(), manager);
		}
	}

	/**
	 * Writes the epoch's checkpoint (and the final parameters when {@code finished}): the
	 * parameter files first, then {@value #CHECKPOINT} with their hashes, each file
	 * replaced atomically.
	 */
	static Checkpoint checkpoint(Request req, Block block, Checkpoint next) {
		return checkpoint(req, block, next, false);
	}

	/**
	 * The same; {@code blockIsBest} says the block holds what {@link #BEST} already holds
	 * (this epoch was the best, or the best was restored to finish), so the files are
	 * copied from it rather than serialised again (a TorchScript archive each time).
	 */
	static Checkpoint checkpoint(Request req, Block block, Checkpoint next, boolean blockIsBest) {
		Path work = req.workDir();
		Path best = work.resolve(BEST);
		boolean copy = blockIsBest && Files.isRegularFile(best);
		if (next.finished()) {
			if (copy) {
				ParameterFiles.copy(best, work.resolve(FINAL_PARAMS));
			}
			else {
				ParameterFiles.save(block, work.resolve(FINAL_PARAMS));
			}
		}
		if (copy) {
			ParameterFiles.copy(best, work.resolve(LAST));
		}
		else {
			ParameterFiles.save(block, work.resolve(LAST));
		}
		Map<String, String> files = new TreeMap<>();
		for (String name : List.of(LAST, BEST, OPTIMIZER, FINAL_PARAMS)) {
			if ((!name.equals(FINAL_PARAMS) || next.finished()) && Files.isRegularFile(work.resolve(name))) {
				files.put(name, FileHashes.sha256(work.resolve(name)));
			}
		}
		Checkpoint written = next.withFiles(files);
		Json.write(work.resolve(CHECKPOINT), written);
		return written;
	}

	/**
	 * The checkpoint to resume from, or null: none was written, it belongs to another
	 * training (fingerprint), or it cannot be trusted (unreadable, or a file it lists is
	 * missing or differs from its hash, as after a crash mid-write or a disk that filled
	 * up). An untrusted checkpoint is logged and training starts from the beginning.
	 */
	static Checkpoint readCheckpoint(Path work, String fingerprint) {
		Path file = work.resolve(CHECKPOINT);
		if (!Files.exists(file)) {
			return null;
		}
		Checkpoint ckpt;
		try {
			ckpt = Json.read(file, Checkpoint.class);
		}
		catch (RuntimeException ex) {
			log.warn("training checkpoint {} is unreadable ({}): training starts from the first epoch", CHECKPOINT,
					ex.getMessage());
			return null;
		}
		if (!ckpt.fingerprint().equals(fingerprint)) {
			return null;
		}
		Map<String, String> bad = (ckpt.files() != null) ? FileHashes.mismatches(work, ckpt.files()) : Map.of();
		if (!bad.isEmpty()) {
			log.warn("training checkpoint of epoch {} cannot be trusted ({}): training starts from the first epoch",
					ckpt.epoch(), bad);
			return null;
		}
		return ckpt;
	}

	private TrainingResult loop(Request req, Trainer trainer, Model model, CheckpointedAdam adam, Checkpoint ckpt,
			String fingerprint, TrainingSource.Split split, int resumedFrom) {
		Hyperparameters hp = req.hp();
		Path work = req.workDir();
		List<EpochStats> curve = new ArrayList<>((ckpt != null) ? ckpt.curve() : List.of());
		int bestEpoch = (ckpt != null) ? ckpt.bestEpoch() : 0;
		double bestLoss = (ckpt != null) ? ckpt.bestLoss() : Double.POSITIVE_INFINITY;
		int sinceBest = (ckpt != null) ? ckpt.sinceBest() : 0;
		long samplesSeen = (ckpt != null) ? ckpt.samplesSeen() : 0;
		long millis = (ckpt != null) ? ckpt.millis() : 0;
		float[][] best = (ckpt != null && Files.exists(work.resolve(BEST))) ? bestFrom(work.resolve(BEST), req, trainer)
				: null;
		boolean stoppedEarly = false;
		boolean earlyStopping = hp.patience() > 0 && split.validationRows() > 0;
		for (int epoch = resumedFrom + 1; epoch <= hp.epochs(); epoch++) {
			long start = System.nanoTime();
			double trainLoss = runEpoch(trainer, req, split, hp.seed() * 31 + epoch);
			double valLoss = (split.validationRows() > 0) ? evaluate(trainer, req, split) : Double.NaN;
			samplesSeen += split.trainRows();
			long epochMillis = (System.nanoTime() - start) / 1_000_000;
			millis += epochMillis;
			if (!Double.isFinite(trainLoss)) {
				throw new TrainingFailed("training loss is " + trainLoss + " at epoch " + epoch
						+ ": the model diverged (try a lower learning rate)");
			}
			EpochStats stats = new EpochStats(epoch, trainLoss, valLoss, epochMillis);
			curve.add(stats);
			double monitored = earlyStopping ? valLoss : trainLoss;
			if (monitored < bestLoss) {
				bestLoss = monitored;
				bestEpoch = epoch;
				sinceBest = 0;
				best = ParameterFiles.snapshot(model.getBlock());
				ParameterFiles.save(model.getBlock(), work.resolve(BEST));
			}
			else {
				sinceBest++;
			}
			stoppedEarly = earlyStopping && sinceBest >= hp.patience() && epoch < hp.epochs();
			boolean finished = stoppedEarly || epoch == hp.epochs();
			boolean blockIsBest = bestEpoch == epoch;
			if (finished && best != null) {
				ParameterFiles.restore(model.getBlock(), best);
				blockIsBest = true;
			}
			adam.save(model.getBlock(), work.resolve(OPTIMIZER));
			Checkpoint next = checkpoint(req, model.getBlock(), new Checkpoint(fingerprint, epoch, bestEpoch, bestLoss,
					sinceBest, finished, stoppedEarly, samplesSeen, millis, curve), blockIsBest);
			Failpoints.reach("train.epoch-" + epoch);
			req.listener().epochCompleted(epoch, hp.epochs(), stats);
			if (finished) {
				return result(next, resumedFrom, split);
			}
		}
		throw new TrainingFailed("no epochs to run (epochs=" + hp.epochs() + ")");
	}

	private float[][] bestFrom(Path file, Request req, Trainer trainer) {
		try (NDManager scratch = trainer.getManager().newSubManager()) {
			return ParameterFiles.snapshot(ParameterFiles.load(req.shape(), file, scratch));
		}
	}

	static TrainingResult result(Checkpoint c, int resumedFrom, TrainingSource.Split split) {
		double perSecond = (c.millis() > 0) ? c.samplesSeen() * 1000.0 / c.millis() : 0.0;
		return new TrainingResult(c.curve(), c.bestEpoch(), c.stoppedEarly(), resumedFrom, c.millis(), c.samplesSeen(),
				perSecond, Math.toIntExact(split.trainRows()), Math.toIntExact(split.validationRows()));
	}

	private double runEpoch(Trainer trainer, Request req, TrainingSource.Split split, long shuffleSeed) {
		ModelShape shape = req.shape();
		float[] y = new float[req.hp().batchSize() * labelWidth(shape)];
		double[] lossSum = { 0 };
		long[] seen = { 0 };
		split.visit(false, req.hp().batchSize(), shuffleSeed, (x, targets, w, n) -> {
			labels(shape, targets, n, y);
			try (NDManager batch = trainer.getManager().newSubManager()) {
				NDList inputs = arrays(batch, shape, x, y, w, n, req.data().width());
				AUTOGRAD.lock();
				try {
					try (GradientCollector gc = trainer.newGradientCollector()) {
						NDArray z = trainer.forward(new NDList(inputs.get(0))).singletonOrThrow();
						NDArray loss = loss(shape.task(), z, inputs.get(1), weights(inputs), n);
						lossSum[0] += loss.getFloat() * n;
						gc.backward(loss);
					}
					trainer.step();
				}
				finally {
					AUTOGRAD.unlock();
				}
			}
			seen[0] += n;
		});
		return lossSum[0] / seen[0];
	}

	private double evaluate(Trainer trainer, Request req, TrainingSource.Split split) {
		ModelShape shape = req.shape();
		int chunk = 8192;
		float[] y = new float[chunk * labelWidth(shape)];
		double[] lossSum = { 0 };
		long[] seen = { 0 };
		split.visit(true, chunk, null, (x, targets, w, n) -> {
			labels(shape, targets, n, y);
			try (NDManager batch = trainer.getManager().newSubManager()) {
				NDList inputs = arrays(batch, shape, x, y, w, n, req.data().width());
				NDArray z = trainer.evaluate(new NDList(inputs.get(0))).singletonOrThrow();
				lossSum[0] += loss(shape.task(), z, inputs.get(1), weights(inputs), n).getFloat() * n;
			}
			seen[0] += n;
		});
		return lossSum[0] / seen[0];
	}

	private static NDArray weights(NDList inputs) {
		return (inputs.size() > 2) ? inputs.get(2) : null;
	}

	private static int labelWidth(ModelShape shape) {
		return (shape.task() == Task.MULTICLASS_CLASSIFICATION) ? shape.outputs() : 1;
	}

	/**
	 * Targets as the loss wants them: one-hot rows for multiclass, the value itself
	 * otherwise.
	 */
	private static void labels(ModelShape shape, double[] targets, int n, float[] y) {
		if (shape.task() == Task.MULTICLASS_CLASSIFICATION) {
			int k = shape.outputs();
			Arrays.fill(y, 0, n * k, 0f);
			for (int i = 0; i < n; i++) {
				y[i * k + (int) targets[i]] = 1f;
			}
		}
		else {
			for (int i = 0; i < n; i++) {
				y[i] = (float) targets[i];
			}
		}
	}

	private static NDList arrays(NDManager m, ModelShape shape, float[] x, float[] y, float[] w, int n, int width) {
		boolean multi = shape.task() == Task.MULTICLASS_CLASSIFICATION;
		int k = shape.outputs();
		NDArray xs = m.create(FloatBuffer.wrap(x, 0, n * width), new Shape(n, width));
		NDArray ys = multi ? m.create(FloatBuffer.wrap(y, 0, n * k), new Shape(n, k))
				: m.create(FloatBuffer.wrap(y, 0, n), new Shape(n));
		if (w == null) {
			return new NDList(xs, ys);
		}
		return new NDList(xs, ys, m.create(FloatBuffer.wrap(w, 0, n), new Shape(n)));
	}

	/**
	 * Mean loss, weighted when {@code w} is not null: logistic from logits
	 * ({@code softplus(z) - z*y}, stable because PyTorch's softplus is linear above its
	 * threshold), softmax cross-entropy, or squared error. Kept to few tensor operations:
	 * each one costs a JNI round trip per batch.
	 */
	static NDArray loss(Task task, NDArray z, NDArray y, NDArray w, int n) {
		NDArray perRow = switch (task) {
			case BINARY_CLASSIFICATION -> {
				NDArray logits = z.reshape(n);
				yield Activation.softPlus(logits).sub(logits.mul(y));
			}
			case MULTICLASS_CLASSIFICATION -> z.logSoftmax(1).mul(y).sum(new int[] { 1 }).neg();
			case REGRESSION -> z.reshape(n).sub(y).square();
		};
		return (w == null) ? perRow.mean() : perRow.mul(w).sum().div(w.sum());
	}

}

package dev.retrain.models.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelTrainerTests {

	@TempDir
	Path dir;

	static TrainingData separable(int rows, long seed) {
		Random r = new Random(seed);
		float[] x = new float[rows * 3];
		double[] y = new double[rows];
		for (int i = 0; i < rows; i++) {
			for (int j = 0; j < 3; j++) {
				x[i * 3 + j] = (float) r.nextGaussian();
			}
			y[i] = (x[i * 3] + 0.5 * x[i * 3 + 1] > 0) ? 1 : 0;
		}
		return new TrainingData(x, y, null, rows, 3);
	}

	/** Fails training once the given epoch is done: a crash mid-training. */
	static EpochListener failAfter(int failing) {
		return (epoch, total, stats) -> {
			if (epoch == failing) {
				throw new IllegalStateException("injected failure after epoch " + failing);
			}
		};
	}

	static Hyperparameters hp(int epochs) {
		return new Hyperparameters(epochs, 64, 0.05, 0.0, 0, 0.0, 7, null, false);
	}

	@Test
	void learnsASeparableProblemAndReloadedModelPredictsIdentically() {
		TrainingData data = separable(2000, 1);
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(8), 3, 1);
		TrainingResult result = new ModelTrainer()
			.train(new ModelTrainer.Request(shape, hp(5), data, null, this.dir, EpochListener.NONE));

		assertThat(result.curve()).hasSize(5);
		assertThat(result.curve().get(4).trainLoss()).isLessThan(result.curve().get(0).trainLoss());
		try (LoadedModel a = LoadedModel.load(shape, this.dir.resolve(ModelTrainer.FINAL_PARAMS));
				LoadedModel b = LoadedModel.load(shape, this.dir.resolve(ModelTrainer.FINAL_PARAMS))) {
			Predictions pa = a.predict(data.features(), data.rows());
			assertThat(Metrics.compute(pa, data.targets()).get("accuracy")).isGreaterThan(0.95);
			assertThat(b.predict(data.features(), data.rows()).scores()).containsExactly(pa.scores());
		}
	}

	@Test
	void resumesFromTheLastCheckpointAfterAFailure() {
		TrainingData data = separable(500, 2);
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.LINEAR, List.of(), 3, 1);
		assertThatThrownBy(() -> new ModelTrainer()
			.train(new ModelTrainer.Request(shape, hp(6), data, null, this.dir, failAfter(3))))
			.hasMessageContaining("injected");

		List<Integer> epochsRun = new java.util.ArrayList<>();
		TrainingResult result = new ModelTrainer().train(new ModelTrainer.Request(shape, hp(6), data, null, this.dir,
				(epoch, total, stats) -> epochsRun.add(epoch)));

		assertThat(result.resumedFromEpoch()).isEqualTo(3);
		assertThat(epochsRun).containsExactly(4, 5, 6);
		assertThat(result.curve()).extracting(EpochStats::epoch).containsExactly(1, 2, 3, 4, 5, 6);
	}

	@Test
	void aResumedTrainingEndsWithTheParametersOfAnUninterruptedOne(@TempDir Path other) throws Exception {
		TrainingData data = separable(600, 4);
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(8), 3, 1);
		new ModelTrainer().train(new ModelTrainer.Request(shape, hp(6), data, null, other, EpochListener.NONE));

		assertThatThrownBy(() -> new ModelTrainer()
			.train(new ModelTrainer.Request(shape, hp(6), data, null, this.dir, failAfter(3))))
			.hasMessageContaining("injected");
		TrainingResult resumed = new ModelTrainer()
			.train(new ModelTrainer.Request(shape, hp(6), data, null, this.dir, EpochListener.NONE));

		assertThat(resumed.resumedFromEpoch()).isEqualTo(3);
		try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
			float[][] uninterrupted = ParameterFiles
				.snapshot(ParameterFiles.load(shape, other.resolve(ModelTrainer.FINAL_PARAMS), m));
			float[][] afterResume = ParameterFiles
				.snapshot(ParameterFiles.load(shape, this.dir.resolve(ModelTrainer.FINAL_PARAMS), m));
			assertThat(afterResume).as("Adam's moments and step count were restored, not restarted at zero")
				.isDeepEqualTo(uninterrupted);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "checkpoint.json", "last.params", "optimizer.state", "best.params" })
	void aTruncatedCheckpointFileIsNotResumedFromButTrainedOverFromTheStart(String file, @TempDir Path other)
			throws Exception {
		TrainingData data = separable(600, 4);
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(8), 3, 1);
		new ModelTrainer().train(new ModelTrainer.Request(shape, hp(6), data, null, other, EpochListener.NONE));
		assertThatThrownBy(() -> new ModelTrainer()
			.train(new ModelTrainer.Request(shape, hp(6), data, null, this.dir, failAfter(3))))
			.hasMessageContaining("injected");
		Path cut = this.dir.resolve(file);
		byte[] bytes = Files.readAllBytes(cut);
		Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));

		List<Integer> epochsRun = new java.util.ArrayList<>();
		TrainingResult result = new ModelTrainer().train(new ModelTrainer.Request(shape, hp(6), data, null, this.dir,
				(epoch, total, stats) -> epochsRun.add(epoch)));

		assertThat(result.resumedFromEpoch()).isZero();
		assertThat(epochsRun).containsExactly(1, 2, 3, 4, 5, 6);
		try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
			assertThat(
					ParameterFiles.snapshot(ParameterFiles.load(shape, this.dir.resolve(ModelTrainer.FINAL_PARAMS), m)))
				.isDeepEqualTo(ParameterFiles
					.snapshot(ParameterFiles.load(shape, other.resolve(ModelTrainer.FINAL_PARAMS), m)));
		}
	}

	@Test
	void earlyStoppingKeepsTheBestEpoch() {
		TrainingData data = separable(400, 3);
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(16), 3, 1);
		Hyperparameters hp = new Hyperparameters(200, 32, 0.05, 0.0, 2, 0.2, 7, null, false);
		TrainingResult result = new ModelTrainer()
			.train(new ModelTrainer.Request(shape, hp, data, null, this.dir, EpochListener.NONE));
		assertThat(result.stoppedEarly()).isTrue();
		assertThat(result.curve().size()).isLessThan(200);
		double bestVal = result.curve().stream().mapToDouble(EpochStats::validationLoss).min().orElseThrow();
		assertThat(result.curve().get(result.bestEpoch() - 1).validationLoss()).isEqualTo(bestVal);
		assertThat(result.validationRows()).isEqualTo(80);
	}

	@Test
	void trainsMulticlassAndRegression() {
		Random r = new Random(5);
		int n = 900;
		float[] x = new float[n * 2];
		double[] cls = new double[n];
		double[] val = new double[n];
		for (int i = 0; i < n; i++) {
			x[i * 2] = (float) (r.nextGaussian());
			x[i * 2 + 1] = (float) (r.nextGaussian());
			cls[i] = (x[i * 2] < -0.5) ? 0 : (x[i * 2] < 0.5) ? 1 : 2;
			val[i] = 3 * x[i * 2] - 2 * x[i * 2 + 1] + 1;
		}
		ModelShape multi = new ModelShape(Task.MULTICLASS_CLASSIFICATION, ModelFamily.MLP, List.of(16), 2, 3);
		new ModelTrainer().train(new ModelTrainer.Request(multi, hp(15), new TrainingData(x, cls, null, n, 2), null,
				this.dir.resolve("m"), EpochListener.NONE));
		try (LoadedModel m = LoadedModel.load(multi, this.dir.resolve("m").resolve(ModelTrainer.FINAL_PARAMS))) {
			assertThat(Metrics.compute(m.predict(x, n), cls).get("accuracy")).isGreaterThan(0.9);
		}
		ModelShape reg = new ModelShape(Task.REGRESSION, ModelFamily.LINEAR, List.of(), 2, 1);
		new ModelTrainer().train(new ModelTrainer.Request(reg, hp(30), new TrainingData(x, val, null, n, 2), null,
				this.dir.resolve("r"), EpochListener.NONE));
		try (LoadedModel m = LoadedModel.load(reg, this.dir.resolve("r").resolve(ModelTrainer.FINAL_PARAMS))) {
			assertThat(Metrics.compute(m.predict(x, n), val).get("rmse")).isLessThan(0.1);
		}
	}

	@Test
	void newtonReachesTheRegularisedOptimumOfALogisticRegression() {
		Random r = new Random(11);
		int n = 3000;
		int d = 4;
		float[] x = new float[n * d];
		double[] y = new double[n];
		for (int i = 0; i < n; i++) {
			double z = 0.3;
			for (int j = 0; j < d; j++) {
				x[i * d + j] = (float) r.nextGaussian();
				z += (j - 1.5) * x[i * d + j];
			}
			y[i] = (r.nextDouble() < 1 / (1 + Math.exp(-z))) ? 1 : 0;
		}
		TrainingData data = new TrainingData(x, y, null, n, d);
		double lambda = 0.01;
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.LINEAR, List.of(), d, 1);
		Hyperparameters newton = new Hyperparameters(50, 64, 0.0, lambda, 0, 0.0, 7, null, false, Solver.NEWTON);
		TrainingResult result = new ModelTrainer()
			.train(new ModelTrainer.Request(shape, newton, data, null, this.dir.resolve("n"), EpochListener.NONE));
		assertThat(result.curve().size()).isBetween(3, 20);

		float[][] theta;
		try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
			theta = ParameterFiles
				.snapshot(ParameterFiles.load(shape, this.dir.resolve("n").resolve(ModelTrainer.FINAL_PARAMS), m));
		}
		// the gradient of mean log-loss + lambda/2 |w|^2, recomputed here in double
		// precision, vanishes at the optimum
		double[] grad = new double[d + 1];
		double loss = 0;
		for (int i = 0; i < n; i++) {
			double z = theta[1][0];
			for (int j = 0; j < d; j++) {
				z += theta[0][j] * x[i * d + j];
			}
			double p = 1 / (1 + Math.exp(-z));
			for (int j = 0; j < d; j++) {
				grad[j] += (p - y[i]) * x[i * d + j] / n;
			}
			grad[d] += (p - y[i]) / n;
			loss += (Math.log1p(Math.exp(-Math.abs(z))) + Math.max(z, 0) - z * y[i]) / n;
		}
		for (int j = 0; j < d; j++) {
			grad[j] += lambda * theta[0][j];
		}
		assertThat(java.util.Arrays.stream(grad).map(Math::abs).max().orElseThrow()).isLessThan(1e-4);

		Hyperparameters adam = new Hyperparameters(20, 64, 0.05, lambda, 0, 0.0, 7, null, false);
		TrainingResult sgd = new ModelTrainer()
			.train(new ModelTrainer.Request(shape, adam, data, null, this.dir.resolve("a"), EpochListener.NONE));
		assertThat(result.curve().get(result.curve().size() - 1).trainLoss())
			.isCloseTo(loss, org.assertj.core.data.Offset.offset(1e-5))
			.isLessThanOrEqualTo(sgd.curve().get(sgd.curve().size() - 1).trainLoss() + 1e-3);
	}

	@Test
	void newtonSolvesLeastSquaresAndRefusesNetworks() {
		Random r = new Random(5);
		int n = 500;
		float[] x = new float[n * 2];
		double[] val = new double[n];
		for (int i = 0; i < n; i++) {
			x[i * 2] = (float) r.nextGaussian();
			x[i * 2 + 1] = (float) r.nextGaussian();
			val[i] = 3 * x[i * 2] - 2 * x[i * 2 + 1] + 1;
		}
		Hyperparameters newton = new Hyperparameters(10, 64, 0.0, 0.0, 0, 0.0, 7, null, false, Solver.NEWTON);
		ModelShape reg = new ModelShape(Task.REGRESSION, ModelFamily.LINEAR, List.of(), 2, 1);
		new ModelTrainer().train(new ModelTrainer.Request(reg, newton, new TrainingData(x, val, null, n, 2), null,
				this.dir.resolve("r"), EpochListener.NONE));
		try (LoadedModel m = LoadedModel.load(reg, this.dir.resolve("r").resolve(ModelTrainer.FINAL_PARAMS))) {
			assertThat(Metrics.compute(m.predict(x, n), val).get("rmse")).isLessThan(1e-4);
		}
		ModelShape mlp = new ModelShape(Task.REGRESSION, ModelFamily.MLP, List.of(4), 2, 1);
		assertThatThrownBy(() -> new ModelTrainer().train(new ModelTrainer.Request(mlp, newton,
				new TrainingData(x, val, null, n, 2), null, this.dir.resolve("m"), EpochListener.NONE)))
			.isInstanceOf(TrainingFailed.class)
			.hasMessageContaining("solver newton");
	}

	@Test
	void twoTrainingsAtOnceBothFinish() throws Exception {
		TrainingData data = separable(3000, 9);
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(8), 3, 1);
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
		try {
			var a = pool.submit(() -> new ModelTrainer()
				.train(new ModelTrainer.Request(shape, hp(4), data, null, this.dir.resolve("a"), EpochListener.NONE)));
			var b = pool.submit(() -> new ModelTrainer()
				.train(new ModelTrainer.Request(shape, hp(4), data, null, this.dir.resolve("b"), EpochListener.NONE)));
			assertThat(a.get().curve()).hasSize(4);
			assertThat(b.get().curve()).hasSize(4);
		}
		finally {
			pool.shutdown();
		}
	}

	@Test
	void theSameSeedGivesTheSameModelWhateverElseDrawsFromTheEngineMeanwhile() throws Exception {
		TrainingData data = separable(1500, 4);
		ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(8), 3, 1);
		new ModelTrainer()
			.train(new ModelTrainer.Request(shape, hp(3), data, null, this.dir.resolve("alone"), EpochListener.NONE));

		// the same training again, beside a training of another seed and a thread that
		// reseeds the engine and draws from its generator all the while
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
		java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
		try {
			var noise = pool.submit(() -> {
				int draws = 0;
				try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
					while (!done.get()) {
						ai.djl.engine.Engine.getInstance().setRandomSeed(draws);
						m.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(64)).close();
						draws++;
					}
				}
				return draws;
			});
			Hyperparameters other = new Hyperparameters(3, 32, 0.05, 0.0, 0, 0.0, 99, null, false);
			var again = pool.submit(() -> new ModelTrainer().train(
					new ModelTrainer.Request(shape, hp(3), data, null, this.dir.resolve("again"), EpochListener.NONE)));
			var beside = pool.submit(() -> new ModelTrainer().train(new ModelTrainer.Request(shape, other, data, null,
					this.dir.resolve("beside"), EpochListener.NONE)));
			again.get();
			beside.get();
			done.set(true);
			assertThat(noise.get()).as("the engine was reseeded and drawn from meanwhile").isGreaterThan(0);
		}
		finally {
			done.set(true);
			pool.shutdown();
		}
		try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
			float[][] alone = ParameterFiles
				.snapshot(ParameterFiles.load(shape, this.dir.resolve("alone").resolve(ModelTrainer.FINAL_PARAMS), m));
			float[][] again = ParameterFiles
				.snapshot(ParameterFiles.load(shape, this.dir.resolve("again").resolve(ModelTrainer.FINAL_PARAMS), m));
			float[][] beside = ParameterFiles
				.snapshot(ParameterFiles.load(shape, this.dir.resolve("beside").resolve(ModelTrainer.FINAL_PARAMS), m));
			assertThat(again).isDeepEqualTo(alone);
			assertThat(java.util.Arrays.deepEquals(beside, alone)).as("another seed, other weights").isFalse();
		}
	}

}

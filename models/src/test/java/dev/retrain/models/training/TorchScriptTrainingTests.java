package dev.retrain.models.training;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A user's TorchScript module (made by a real PyTorch, see
 * {@code src/test/resources/torchscript/make_fixtures.py}) trained by the product's own
 * trainer: from the file's weights, with checkpoints and resume, and stored as the plain
 * archive {@code torch.jit.save} writes.
 */
class TorchScriptTrainingTests {

	static final ModelShape SHAPE = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.TORCHSCRIPT, List.of(), 4, 1,
			new ModelSource("mlp_w4_o1.pt", null));

	@TempDir
	Path dir;

	static Path fixture(String name) {
		try (InputStream in = TorchScriptTrainingTests.class.getResourceAsStream("/torchscript/" + name)) {
			Path file = Files.createTempFile("fixture-", "-" + name);
			Files.write(file, in.readAllBytes());
			return file;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static TrainingData separable(int rows, long seed) {
		Random r = new Random(seed);
		float[] x = new float[rows * 4];
		double[] y = new double[rows];
		for (int i = 0; i < rows; i++) {
			for (int j = 0; j < 4; j++) {
				x[i * 4 + j] = (float) r.nextGaussian();
			}
			y[i] = (x[i * 4] - 0.7 * x[i * 4 + 2] > 0) ? 1 : 0;
		}
		return new TrainingData(x, y, null, rows, 4);
	}

	static Hyperparameters hp(int epochs) {
		return new Hyperparameters(epochs, 64, 0.01, 0.0, 0, 0.0, 7, null, false);
	}

	@Test
	void trainsTheUsersModuleFromItsWeightsAndStoresPlainTorchScript() throws Exception {
		Path base = fixture("mlp_w4_o1.pt");
		TrainingData data = separable(1500, 1);
		double before;
		try (LoadedModel untrained = LoadedModel.load(SHAPE, base)) {
			before = Metrics.compute(untrained.predict(data.features(), data.rows()), data.targets()).get("accuracy");
		}

		TrainingResult result = new ModelTrainer()
			.train(new ModelTrainer.Request(SHAPE, hp(6), data, base, this.dir, EpochListener.NONE));

		assertThat(result.curve()).hasSize(6);
		assertThat(result.curve().get(5).trainLoss()).isLessThan(result.curve().get(0).trainLoss());
		Path stored = this.dir.resolve(ModelTrainer.FINAL_PARAMS);
		byte[] head = new byte[4];
		try (InputStream in = Files.newInputStream(stored)) {
			assertThat(in.readNBytes(head, 0, 4)).isEqualTo(4);
		}
		assertThat(head).as("the plain TorchScript zip, no DJL header").containsExactly('P', 'K', 3, 4);
		try (LoadedModel trained = LoadedModel.load(SHAPE, stored)) {
			Predictions p = trained.predict(data.features(), data.rows());
			double after = Metrics.compute(p, data.targets()).get("accuracy");
			assertThat(after).isGreaterThan(0.93).isGreaterThan(before);
		}
	}

	@Test
	void aResumedTrainingEndsWithTheParametersOfAnUninterruptedOne(@TempDir Path other) {
		Path base = fixture("mlp_w4_o1.pt");
		TrainingData data = separable(600, 4);
		new ModelTrainer().train(new ModelTrainer.Request(SHAPE, hp(5), data, base, other, EpochListener.NONE));

		assertThatThrownBy(() -> new ModelTrainer()
			.train(new ModelTrainer.Request(SHAPE, hp(5), data, base, this.dir, ModelTrainerTests.failAfter(2))))
			.hasMessageContaining("injected");
		TrainingResult resumed = new ModelTrainer()
			.train(new ModelTrainer.Request(SHAPE, hp(5), data, base, this.dir, EpochListener.NONE));

		assertThat(resumed.resumedFromEpoch()).isEqualTo(2);
		try (NDManager m = NDManager.newBaseManager()) {
			float[][] uninterrupted = ParameterFiles
				.snapshot(ParameterFiles.load(SHAPE, other.resolve(ModelTrainer.FINAL_PARAMS), m));
			float[][] afterResume = ParameterFiles
				.snapshot(ParameterFiles.load(SHAPE, this.dir.resolve(ModelTrainer.FINAL_PARAMS), m));
			assertThat(afterResume).isDeepEqualTo(uninterrupted);
		}
	}

	@Test
	void earlyStoppingKeepsTheBestEpochOfAModule() {
		Path base = fixture("mlp_w4_o1.pt");
		Hyperparameters hp = new Hyperparameters(30, 32, 0.2, 0.0, 2, 0.3, 3, null, false);
		TrainingResult result = new ModelTrainer()
			.train(new ModelTrainer.Request(SHAPE, hp, separable(200, 9), base, this.dir, EpochListener.NONE));

		EpochStats best = result.curve().get(result.bestEpoch() - 1);
		assertThat(result.curve())
			.allSatisfy(e -> assertThat(e.validationLoss()).isGreaterThanOrEqualTo(best.validationLoss()));
		try (LoadedModel kept = LoadedModel.load(SHAPE, this.dir.resolve(ModelTrainer.FINAL_PARAMS))) {
			assertThat(kept.predict(new float[4], 1).scores()).hasSize(1);
		}
	}

	@Test
	void aFineTuneStartsFromTheGivenModuleNotTheOriginal() {
		Path base = fixture("mlp_w4_o1.pt");
		TrainingData data = separable(800, 2);
		Path first = this.dir.resolve("first");
		new ModelTrainer().train(new ModelTrainer.Request(SHAPE, hp(6), data, base, first, EpochListener.NONE));
		Path champion = first.resolve(ModelTrainer.FINAL_PARAMS);

		TrainingResult tuned = new ModelTrainer()
			.train(new ModelTrainer.Request(SHAPE, hp(1).withEpochsAndLearningRate(1, 1e-4), data, champion,
					this.dir.resolve("tuned"), EpochListener.NONE));
		TrainingResult fresh = new ModelTrainer().train(new ModelTrainer.Request(SHAPE,
				hp(1).withEpochsAndLearningRate(1, 1e-4), data, base, this.dir.resolve("fresh"), EpochListener.NONE));

		assertThat(tuned.curve().get(0).trainLoss()).as("starts from the trained champion's weights")
			.isLessThan(fresh.curve().get(0).trainLoss() * 0.8);
	}

	@Test
	void aFileThatIsNotTorchScriptIsRefusedNamingIt() throws Exception {
		Path text = this.dir.resolve("model.pt");
		Files.writeString(text, "not a model");
		Path zip = this.dir.resolve("other.zip");
		try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
			out.putNextEntry(new java.util.zip.ZipEntry("hello.txt"));
			out.write(1);
		}

		assertThatThrownBy(() -> TorchScriptModules.verify(text, SHAPE, List.of("a", "b", "c", "d")))
			.isInstanceOf(TrainingFailed.class)
			.hasMessageContaining(text.toString())
			.hasMessageContaining("is not a TorchScript module");
		assertThatThrownBy(() -> TorchScriptModules.verify(zip, SHAPE, List.of("a", "b", "c", "d")))
			.isInstanceOf(TrainingFailed.class)
			.hasMessageContaining(zip.toString())
			.hasMessageContaining("is not a TorchScript module PyTorch can load");
	}

	@Test
	void anInputWidthThatDoesNotMatchNamesTheEncodedColumnsAndTheModulesWidth() {
		ModelShape five = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.TORCHSCRIPT, List.of(), 5, 1, null);
		Path base = fixture("mlp_w4_o1.pt");

		assertThatThrownBy(
				() -> TorchScriptModules.verify(base, five, List.of("a", "a_missing", "b", "b_missing", "c")))
			.isInstanceOf(TrainingFailed.class)
			.hasMessageContaining("does not take the pipeline's 5 encoded columns [a, a_missing, b, b_missing, c]")
			.hasMessageContaining("it takes 4 columns");
	}

	@Test
	void anOutputWidthThatDoesNotFitTheTaskIsRefused() {
		ModelShape multi = new ModelShape(Task.MULTICLASS_CLASSIFICATION, ModelFamily.TORCHSCRIPT, List.of(), 4, 3,
				null);
		Path base = fixture("mlp_w4_o1.pt");

		assertThatThrownBy(() -> TorchScriptModules.verify(base, multi, List.of("a", "b", "c", "d")))
			.isInstanceOf(TrainingFailed.class)
			.hasMessageContaining("returns (2, 1) for 2 rows, the pipeline's multiclass task needs (2, 3)");
		TorchScriptModules.verify(base, SHAPE, List.of("a", "b", "c", "d"));
	}

	@Test
	void aTracedModuleAndAMulticlassModuleTrainToo() {
		ModelShape traced = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.TORCHSCRIPT, List.of(), 17, 1, null);
		ModelShape multi = new ModelShape(Task.MULTICLASS_CLASSIFICATION, ModelFamily.TORCHSCRIPT, List.of(), 17, 3,
				null);
		Random r = new Random(5);
		int rows = 600;
		float[] x = new float[rows * 17];
		double[] binary = new double[rows];
		double[] classes = new double[rows];
		for (int i = 0; i < rows; i++) {
			for (int j = 0; j < 17; j++) {
				x[i * 17 + j] = (float) r.nextGaussian();
			}
			binary[i] = (x[i * 17] > 0) ? 1 : 0;
			classes[i] = (x[i * 17] > 0.5) ? 2 : (x[i * 17] < -0.5) ? 0 : 1;
		}
		Path linear = fixture("linear_w17_o1_traced.pt");
		Path three = fixture("mlp_w17_o3.pt");
		TorchScriptModules.verify(linear, traced, List.of());
		TorchScriptModules.verify(three, multi, List.of());

		TrainingResult a = new ModelTrainer().train(new ModelTrainer.Request(traced, hp(5),
				new TrainingData(x, binary, null, rows, 17), linear, this.dir.resolve("traced"), EpochListener.NONE));
		TrainingResult b = new ModelTrainer().train(new ModelTrainer.Request(multi, hp(5),
				new TrainingData(x, classes, null, rows, 17), three, this.dir.resolve("multi"), EpochListener.NONE));

		assertThat(a.curve().get(4).trainLoss()).isLessThan(a.curve().get(0).trainLoss());
		assertThat(b.curve().get(4).trainLoss()).isLessThan(b.curve().get(0).trainLoss());
		try (LoadedModel m = LoadedModel.load(multi, this.dir.resolve("multi").resolve(ModelTrainer.FINAL_PARAMS))) {
			Predictions p = m.predict(x, rows);
			assertThat(p.scores()).hasSize(rows * 3);
			assertThat(Metrics.compute(p, classes).get("accuracy")).isGreaterThan(0.6);
		}
	}

}

package dev.retrain.models.plugins;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec.FeatureType;
import dev.retrain.models.features.Task;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.training.EpochListener;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.LoadedModel;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelSource;
import dev.retrain.models.training.ModelTrainer;
import dev.retrain.models.training.TrainingData;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Plugin jars (compiled for the test by the JDK's compiler, {@link PluginJars}) found in
 * a directory, trained by the product's trainer, and refused when a stored model needs
 * another jar.
 */
class ModelPluginsTests {

	@TempDir
	Path dir;

	private final ModelPlugins before = ModelPlugins.installed();

	@AfterEach
	void restore() {
		ModelPlugins.install(this.before);
	}

	@Test
	void findsAPluginInItsJarWithTheJarsNameHashAndVersion() {
		Path jar = PluginJars.mlp(this.dir.resolve("plugins"), "tiny-mlp", "1.0");

		ModelPlugins plugins = ModelPlugins.load(this.dir.resolve("plugins"));

		ModelPlugins.Plugin p = plugins.get("tiny-mlp");
		assertThat(p.jar()).isEqualTo("tiny-mlp-1.0.jar");
		assertThat(p.sha256()).isEqualTo(FileHashes.sha256(jar));
		assertThat(p.version()).isEqualTo("1.0");
		assertThat(p.factory().getClass().getClassLoader()).isNotSameAs(ModelFactory.class.getClassLoader());
		assertThat(p.factory().validate(Task.BINARY_CLASSIFICATION, Map.of("width", 0, "depth", 2)))
			.extracting(ModelFactory.Problem::parameter)
			.containsExactlyInAnyOrder("width", "depth");
	}

	@Test
	void refusesTwoJarsThatGiveTheSameNameNamingBoth() {
		PluginJars.mlp(this.dir, "tiny-mlp", "1.0");
		PluginJars.mlp(this.dir, "tiny-mlp", "2.0");

		assertThatThrownBy(() -> ModelPlugins.load(this.dir)).hasMessageContaining("tiny-mlp-1.0.jar")
			.hasMessageContaining("tiny-mlp-2.0.jar")
			.hasMessageContaining("plugin 'tiny-mlp' is in two jars");
	}

	@Test
	void refusesAPluginNamedAsABuiltInFamily() {
		PluginJars.mlp(this.dir, "mlp", "1.0");

		assertThatThrownBy(() -> ModelPlugins.load(this.dir)).hasMessageContaining("mlp-1.0.jar")
			.hasMessageContaining("a built-in family");
	}

	@Test
	void trainsAPluginsBlockAndLoadsItBackForScoring() {
		Path jar = PluginJars.mlp(this.dir.resolve("plugins"), "tiny-mlp", "1.0");
		ModelPlugins.install(ModelPlugins.load(this.dir.resolve("plugins")));
		ModelShape shape = shape(jar, "1.0");
		TrainingData data = separable(1500, 3);

		new ModelTrainer()
			.train(new ModelTrainer.Request(shape, hp(8), data, null, this.dir.resolve("work"), EpochListener.NONE));

		try (LoadedModel model = LoadedModel.load(shape, this.dir.resolve("work").resolve(ModelTrainer.FINAL_PARAMS))) {
			double accuracy = Metrics.compute(model.predict(data.features(), data.rows()), data.targets())
				.get("accuracy");
			assertThat(accuracy).isGreaterThan(0.9);
		}
	}

	@Test
	void refusesToLoadAModelWhenItsPluginIsAbsentOrItsJarDiffersNamingTheJarItNeeds() throws Exception {
		Path jar = PluginJars.mlp(this.dir.resolve("a"), "tiny-mlp", "1.0");
		ModelPlugins.install(ModelPlugins.load(this.dir.resolve("a")));
		ModelShape shape = shape(jar, "1.0");
		Path work = this.dir.resolve("work");
		new ModelTrainer()
			.train(new ModelTrainer.Request(shape, hp(2), separable(300, 3), null, work, EpochListener.NONE));
		Path params = work.resolve(ModelTrainer.FINAL_PARAMS);
		String sha = FileHashes.sha256(jar);

		Path other = PluginJars.mlp(this.dir.resolve("b"), "tiny-mlp", "1.1");
		ModelPlugins.install(ModelPlugins.load(this.dir.resolve("b")));
		assertThatThrownBy(() -> LoadedModel.load(shape, params)).isInstanceOf(PluginUnavailable.class)
			.hasMessageContaining("needs plugin 'tiny-mlp' version 1.0 from tiny-mlp-1.0.jar (SHA-256 " + sha + ")")
			.hasMessageContaining("has version 1.1 from tiny-mlp-1.1.jar (SHA-256 " + FileHashes.sha256(other));

		Files.createDirectories(this.dir.resolve("empty"));
		ModelPlugins.install(ModelPlugins.load(this.dir.resolve("empty")));
		assertThatThrownBy(() -> LoadedModel.load(shape, params)).isInstanceOf(PluginUnavailable.class)
			.hasMessageContaining("needs plugin 'tiny-mlp' version 1.0 from tiny-mlp-1.0.jar")
			.hasMessageContaining("has no plugin 'tiny-mlp'")
			.hasMessageContaining("put tiny-mlp-1.0.jar there");

		ModelPlugins.install(ModelPlugins.load(this.dir.resolve("a")));
		try (LoadedModel model = LoadedModel.load(shape, params)) {
			assertThat(model.predict(new float[4], 1).scores()).hasSize(1);
		}
	}

	static ModelShape shape(Path jar, String version) {
		List<FeatureEncoding> encodings = List.of(new FeatureEncoding("a", FeatureType.NUMERIC, 0.0, 1.0, null),
				new FeatureEncoding("b", FeatureType.NUMERIC, 0.0, 1.0, null));
		ModelSource source = ModelSource.plugin("tiny-mlp", Map.of("width", 16, "dropout", 0.1))
			.withJar(jar.getFileName().toString(), FileHashes.sha256(jar), version, ModelInputs.layout(encodings));
		return new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.PLUGIN, List.of(), 4, 1, source);
	}

	/**
	 * Rows of two numeric features as encoded (value, missing): a rule of both values.
	 */
	static TrainingData separable(int rows, long seed) {
		Random r = new Random(seed);
		float[] x = new float[rows * 4];
		double[] y = new double[rows];
		for (int i = 0; i < rows; i++) {
			x[i * 4] = (float) r.nextGaussian();
			x[i * 4 + 2] = (float) r.nextGaussian();
			y[i] = (x[i * 4] - 0.7 * x[i * 4 + 2] > 0) ? 1 : 0;
		}
		return new TrainingData(x, y, null, rows, 4);
	}

	static Hyperparameters hp(int epochs) {
		return new Hyperparameters(epochs, 64, 0.01, 0.0, 0, 0.0, 7, null, false);
	}

}

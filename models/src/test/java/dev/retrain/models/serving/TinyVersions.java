package dev.retrain.models.serving;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.retrain.models.dataset.Column;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.json.Json;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.EpochListener;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelTrainer;
import dev.retrain.models.training.TrainingData;
import dev.retrain.models.training.TrainingResult;

/**
 * Versions for the serving tests, trained for real with DJL on a few hundred rows: the
 * label is "1" when {@code x > 0} (or, with {@code flipped}, when {@code x < 0}), with a
 * categorical feature {@code c} that carries nothing. Written into a store as the retrain
 * job writes them (metadata with encoders and the parameters' SHA-256), and the champion
 * pointer moved as the registry moves it.
 */
public final class TinyVersions {

	public static final List<FeatureSpec> FEATURES = List.of(FeatureSpec.numeric("x"), FeatureSpec.categorical("c"));

	private TinyVersions() {
	}

	public static Table rows(int n, long seed, boolean flipped) {
		Random random = new Random(seed);
		double[] x = new double[n];
		String[] c = new String[n];
		String[] y = new String[n];
		for (int i = 0; i < n; i++) {
			x[i] = random.nextGaussian() * 2;
			c[i] = random.nextBoolean() ? "a" : "b";
			y[i] = ((x[i] > 0) != flipped) ? "1" : "0";
		}
		Map<String, Column> columns = new java.util.LinkedHashMap<>();
		columns.put("x", new NumericColumn("x", x, new boolean[n]));
		columns.put("c", new StringColumn("c", c));
		columns.put("y", new StringColumn("y", y));
		return new Table(columns, n, null, List.of());
	}

	/**
	 * Trains and commits version {@code version} of {@code pipeline}; returns its
	 * metadata.
	 */
	public static ArtifactMetadata write(ModelStore store, String pipeline, int version, boolean flipped) {
		try {
			Table table = rows(400, version, flipped);
			FeatureEncoder.Fitter fitter = new FeatureEncoder.Fitter(FEATURES);
			fitter.add(table);
			FeatureEncoder encoder = fitter.encoder();
			LabelEncoding label = LabelEncoding.of("y", Task.BINARY_CLASSIFICATION, List.of("0", "1"),
					java.util.Set.of("0", "1"));
			float[] features = new float[table.rows() * encoder.width()];
			encoder.encodeRows(table, null, 0, table.rows(), features, 0);
			Hyperparameters hp = new Hyperparameters(30, 32, 0.05, 0.0, 0, 0.0, 7, null, false);
			ModelShape shape = new ModelShape(Task.BINARY_CLASSIFICATION, ModelFamily.MLP, List.of(8), encoder.width(),
					1);
			Path work = Files.createTempDirectory("tiny-train");
			TrainingResult result = new ModelTrainer().train(new ModelTrainer.Request(shape, hp,
					new TrainingData(features, label.encode(table), null, table.rows(), encoder.width()), null, work,
					EpochListener.NONE));
			Path staged = store.stage(pipeline);
			Files.copy(work.resolve(ModelTrainer.FINAL_PARAMS), staged.resolve(ModelStore.PARAMS));
			ModelStore.deleteTree(work);
			ArtifactMetadata meta = new ArtifactMetadata(pipeline, version, Instant.now(), "run-" + version, "test",
					"RETRAIN", "a test version", null, null, encoder.encodings(), label, shape, hp, null, null, null,
					result, null, null, null, null, null, null, null, null)
				.withFiles(ModelStore.hashes(staged, ModelStore.PARAMS));
			Json.write(staged.resolve(ModelStore.METADATA), meta);
			store.commit(staged, pipeline, version);
			return meta;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}

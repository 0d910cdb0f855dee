package dev.retrain.models.training;

import java.nio.FloatBuffer;
import java.nio.file.Path;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.metrics.Predictions;

/** A network ready for inference; holds native memory, so close it. */
public final class LoadedModel implements AutoCloseable {

	private static final int BATCH = 8192;

	private final ModelShape shape;

	private final NDManager manager;

	private final Block block;

	private LoadedModel(ModelShape shape, NDManager manager, Block block) {
		this.shape = shape;
		this.manager = manager;
		this.block = block;
	}

	public static LoadedModel load(ModelShape shape, Path parameters) {
		NDManager manager = NDManager.newBaseManager();
		try {
			Block block = shape.isTorchScript() ? TorchScriptModules.load(parameters, manager, false)
					: ParameterFiles.load(shape, parameters, manager);
			return new LoadedModel(shape, manager, block);
		}
		catch (RuntimeException ex) {
			manager.close();
			throw ex;
		}
	}

	public ModelShape shape() {
		return this.shape;
	}

	public Predictions predict(float[] features, int rows) {
		int width = this.shape.inputs();
		double[] scores = new double[rows * this.shape.outputs()];
		ParameterStore ps = new ParameterStore(this.manager, false);
		for (int start = 0; start < rows; start += BATCH) {
			int n = Math.min(BATCH, rows - start);
			forward(ps, FloatBuffer.wrap(features, start * width, n * width), n, scores, start);
		}
		return new Predictions(this.shape.task(), this.shape.outputs(), scores);
	}

	/**
	 * Scores a table's rows, encoding {@value #BATCH} rows at a time: what is held
	 * besides the table is one batch of encoded rows and the scores, not the encoded
	 * table.
	 */
	public Predictions predict(FeatureEncoder encoder, Table table) {
		int rows = table.rows();
		int width = this.shape.inputs();
		double[] scores = new double[rows * this.shape.outputs()];
		float[] batch = new float[Math.min(BATCH, Math.max(rows, 1)) * width];
		ParameterStore ps = new ParameterStore(this.manager, false);
		for (int start = 0; start < rows; start += BATCH) {
			int n = Math.min(BATCH, rows - start);
			encoder.encodeRows(table, null, start, n, batch, 0);
			forward(ps, FloatBuffer.wrap(batch, 0, n * width), n, scores, start);
		}
		return new Predictions(this.shape.task(), this.shape.outputs(), scores);
	}

	private void forward(ParameterStore ps, FloatBuffer features, int n, double[] scores, int start) {
		int outputs = this.shape.outputs();
		try (NDManager batch = this.manager.newSubManager()) {
			NDArray x = batch.create(features, new Shape(n, this.shape.inputs()));
			NDArray z = this.block.forward(ps, new NDList(x), false).singletonOrThrow();
			NDArray out = switch (this.shape.task()) {
				case BINARY_CLASSIFICATION -> Activation.sigmoid(z.reshape(n));
				case MULTICLASS_CLASSIFICATION -> z.softmax(1);
				case REGRESSION -> z.reshape(n);
			};
			float[] values = out.toFloatArray();
			for (int i = 0; i < values.length; i++) {
				scores[start * outputs + i] = values[i];
			}
		}
	}

	@Override
	public void close() {
		this.manager.close();
	}

}

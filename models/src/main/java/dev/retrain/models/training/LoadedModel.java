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
			return new LoadedModel(shape, manager, ParameterFiles.load(shape, parameters, manager));
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
		int outputs = this.shape.outputs();
		double[] scores = new double[rows * outputs];
		ParameterStore ps = new ParameterStore(this.manager, false);
		for (int start = 0; start < rows; start += BATCH) {
			int n = Math.min(BATCH, rows - start);
			try (NDManager batch = this.manager.newSubManager()) {
				NDArray x = batch.create(FloatBuffer.wrap(features, start * width, n * width), new Shape(n, width));
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
		return new Predictions(this.shape.task(), outputs, scores);
	}

	@Override
	public void close() {
		this.manager.close();
	}

}

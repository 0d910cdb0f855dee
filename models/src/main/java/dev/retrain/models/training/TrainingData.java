package dev.retrain.models.training;

/** Encoded rows (row-major, {@code width} floats per row), targets and per-row weights (null: all 1). */
public record TrainingData(float[] features, double[] targets, float[] weights, int rows, int width) {

	public TrainingData {
		if (features.length != (long) rows * width || targets.length != rows || (weights != null && weights.length != rows)) {
			throw new IllegalArgumentException("inconsistent training data: " + rows + " rows x " + width);
		}
	}

}

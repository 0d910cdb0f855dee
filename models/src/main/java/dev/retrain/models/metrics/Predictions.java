package dev.retrain.models.metrics;

import dev.retrain.models.features.Task;

/**
 * Model outputs for n rows: for binary classification the probability of the positive
 * class (n values), for multiclass the class probabilities (n x k, row-major), for
 * regression the predicted values.
 */
public record Predictions(Task task, int classes, double[] scores) {

	public int rows() {
		return (this.task == Task.MULTICLASS_CLASSIFICATION) ? this.scores.length / this.classes : this.scores.length;
	}

	/** Predicted class index (classification) for a row. */
	public int predictedClass(int row) {
		if (this.task == Task.BINARY_CLASSIFICATION) {
			return (this.scores[row] >= 0.5) ? 1 : 0;
		}
		int best = 0;
		for (int k = 1; k < this.classes; k++) {
			if (this.scores[row * this.classes + k] > this.scores[row * this.classes + best]) {
				best = k;
			}
		}
		return best;
	}

	/** Probability given to class k for a row. */
	public double probability(int row, int k) {
		if (this.task == Task.BINARY_CLASSIFICATION) {
			return (k == 1) ? this.scores[row] : 1.0 - this.scores[row];
		}
		return this.scores[row * this.classes + k];
	}

	public Predictions select(int[] rows) {
		int width = (this.task == Task.MULTICLASS_CLASSIFICATION) ? this.classes : 1;
		double[] s = new double[rows.length * width];
		for (int i = 0; i < rows.length; i++) {
			System.arraycopy(this.scores, rows[i] * width, s, i * width, width);
		}
		return new Predictions(this.task, this.classes, s);
	}

}

package dev.retrain.models.committee;

import dev.retrain.models.metrics.Predictions;

/**
 * A member's loss on a labelled period, which moves the committee's weights:
 * <ul>
 * <li>classification (binary, multiclass): the 0/1 error, the share of rows whose
 * predicted class (the most probable; for binary, probability >= 0.5) is not the label.
 * In [0, 1], and what the backtests' accuracy measures, so hedge's {@code eta} means the
 * same on every data set;</li>
 * <li>regression: the relative squared error, the mean squared error divided by the
 * variance of the period's labels (by 1 when they do not vary), so that {@code eta} does
 * not depend on the label's unit.</li>
 * </ul>
 * NaN when there are no rows.
 */
public final class CommitteeLoss {

	private CommitteeLoss() {
	}

	public static double of(Predictions p, double[] labels) {
		int n = labels.length;
		if (n == 0) {
			return Double.NaN;
		}
		if (p.task().isClassification()) {
			int wrong = 0;
			for (int r = 0; r < n; r++) {
				if (p.predictedClass(r) != (int) labels[r]) {
					wrong++;
				}
			}
			return (double) wrong / n;
		}
		double mean = 0;
		for (double y : labels) {
			mean += y / n;
		}
		double se = 0;
		double var = 0;
		for (int r = 0; r < n; r++) {
			double d = p.scores()[r] - labels[r];
			se += d * d;
			var += (labels[r] - mean) * (labels[r] - mean);
		}
		return (var > 0) ? se / var : se / n;
	}

}

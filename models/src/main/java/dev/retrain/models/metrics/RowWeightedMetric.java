package dev.retrain.models.metrics;

import java.util.Arrays;

import dev.retrain.models.features.Task;

/**
 * One metric of one model's predictions on fixed rows, computed again for any integer
 * weight per row (how often a bootstrap resample drew the row). Everything that does not
 * depend on the weights (per-row correctness and losses, the score order for AUC) is
 * prepared once, so a resample costs one pass over the rows and allocates nothing. With
 * every weight 1 the value equals {@link Metrics#compute}'s.
 */
public final class RowWeightedMetric {

	private static final double EPS = 1e-15;

	private final Metric metric;

	private final int rows;

	/** accuracy: 1 if right; log_loss, mae: the row's loss; rmse: the squared error. */
	private final double[] perRow;

	/** f1: the true class and the predicted class per row. */
	private final int[] truth;

	private final int[] predicted;

	private final int classes;

	private final boolean binary;

	private final int[] tp;

	private final int[] fp;

	private final int[] fn;

	/** roc_auc: per class (one for binary), rows in ascending score order and ties. */
	private final int[][] order;

	private final boolean[][] tiedWithNext;

	private final boolean[][] positive;

	private RowWeightedMetric(Metric metric, Predictions p, double[] labels) {
		if (p.rows() != labels.length) {
			throw new IllegalArgumentException(p.rows() + " predictions for " + labels.length + " labels");
		}
		if (!metric.appliesTo(p.task())) {
			throw new IllegalArgumentException(metric.key() + " does not apply to " + p.task());
		}
		this.metric = metric;
		this.rows = labels.length;
		int n = labels.length;
		boolean binary = p.task() == Task.BINARY_CLASSIFICATION;
		this.binary = binary;
		this.classes = binary ? 2 : p.classes();
		double[] perRow = null;
		int[] truth = null;
		int[] predicted = null;
		int[][] order = null;
		boolean[][] tied = null;
		boolean[][] positive = null;
		switch (metric) {
			case ACCURACY, LOG_LOSS, RMSE, MAE -> {
				perRow = new double[n];
				for (int i = 0; i < n; i++) {
					perRow[i] = switch (metric) {
						case ACCURACY -> (p.predictedClass(i) == (int) labels[i]) ? 1.0 : 0.0;
						case LOG_LOSS -> -Math.log(Math.min(1 - EPS, Math.max(EPS, p.probability(i, (int) labels[i]))));
						case RMSE -> (p.scores()[i] - labels[i]) * (p.scores()[i] - labels[i]);
						default -> Math.abs(p.scores()[i] - labels[i]);
					};
				}
			}
			case F1 -> {
				truth = new int[n];
				predicted = new int[n];
				for (int i = 0; i < n; i++) {
					truth[i] = (int) labels[i];
					predicted[i] = p.predictedClass(i);
				}
			}
			case ROC_AUC -> {
				int curves = binary ? 1 : this.classes;
				order = new int[curves][];
				tied = new boolean[curves][];
				positive = new boolean[curves][];
				for (int c = 0; c < curves; c++) {
					int k = binary ? 1 : c;
					double[] s = new double[n];
					positive[c] = new boolean[n];
					for (int i = 0; i < n; i++) {
						s[i] = p.probability(i, k);
						positive[c][i] = (int) labels[i] == k;
					}
					order[c] = ascending(s);
					tied[c] = new boolean[n];
					for (int t = 0; t + 1 < n; t++) {
						tied[c][t] = s[order[c][t]] == s[order[c][t + 1]];
					}
				}
			}
		}
		this.perRow = perRow;
		this.truth = truth;
		this.predicted = predicted;
		this.order = order;
		this.tiedWithNext = tied;
		this.positive = positive;
		this.tp = new int[this.classes];
		this.fp = new int[this.classes];
		this.fn = new int[this.classes];
	}

	public static RowWeightedMetric of(Metric metric, Predictions p, double[] labels) {
		return new RowWeightedMetric(metric, p, labels);
	}

	public int rows() {
		return this.rows;
	}

	/**
	 * The metric with row {@code i} counted {@code weights[i]} times; NaN where it is
	 * undefined (AUC without both classes).
	 */
	public double value(int[] weights) {
		long total = 0;
		for (int w : weights) {
			total += w;
		}
		if (total == 0) {
			return Double.NaN;
		}
		return switch (this.metric) {
			case ACCURACY, LOG_LOSS, MAE -> weightedSum(weights) / total;
			case RMSE -> Math.sqrt(weightedSum(weights) / total);
			case F1 -> f1(weights);
			case ROC_AUC -> auc(weights, total);
		};
	}

	private double weightedSum(int[] w) {
		double sum = 0;
		for (int i = 0; i < this.rows; i++) {
			sum += w[i] * this.perRow[i];
		}
		return sum;
	}

	private double f1(int[] w) {
		Arrays.fill(this.tp, 0);
		Arrays.fill(this.fp, 0);
		Arrays.fill(this.fn, 0);
		for (int i = 0; i < this.rows; i++) {
			int y = this.truth[i];
			int yhat = this.predicted[i];
			if (y == yhat) {
				this.tp[y] += w[i];
			}
			else {
				this.fp[yhat] += w[i];
				this.fn[y] += w[i];
			}
		}
		if (this.binary) {
			return f1(this.tp[1], this.fp[1], this.fn[1]);
		}
		double sum = 0;
		int present = 0;
		for (int c = 0; c < this.classes; c++) {
			if (this.tp[c] + this.fn[c] > 0) {
				sum += f1(this.tp[c], this.fp[c], this.fn[c]);
				present++;
			}
		}
		return (present > 0) ? sum / present : 0.0;
	}

	private static double f1(int tp, int fp, int fn) {
		return (tp == 0) ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
	}

	/** Mann-Whitney with ties averaged, over the weighted rows; macro over classes. */
	private double auc(int[] w, long total) {
		double sum = 0;
		int counted = 0;
		for (int c = 0; c < this.order.length; c++) {
			int[] ord = this.order[c];
			boolean[] tied = this.tiedWithNext[c];
			boolean[] pos = this.positive[c];
			double pairs = 0;
			long negBelow = 0;
			long groupPos = 0;
			long groupNeg = 0;
			for (int t = 0; t < this.rows; t++) {
				int i = ord[t];
				if (pos[i]) {
					groupPos += w[i];
				}
				else {
					groupNeg += w[i];
				}
				if (!tied[t]) {
					pairs += groupPos * (double) negBelow + 0.5 * groupPos * (double) groupNeg;
					negBelow += groupNeg;
					groupPos = 0;
					groupNeg = 0;
				}
			}
			long nNeg = negBelow;
			long nPos = total - nNeg;
			if (nPos > 0 && nNeg > 0) {
				sum += pairs / ((double) nPos * nNeg);
				counted++;
			}
		}
		return (counted > 0) ? sum / counted : Double.NaN;
	}

	private static int[] ascending(double[] s) {
		Integer[] boxed = new Integer[s.length];
		for (int i = 0; i < s.length; i++) {
			boxed[i] = i;
		}
		Arrays.sort(boxed, (a, b) -> Double.compare(s[a], s[b]));
		int[] order = new int[s.length];
		for (int i = 0; i < s.length; i++) {
			order[i] = boxed[i];
		}
		return order;
	}

}

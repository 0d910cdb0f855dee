package dev.retrain.models.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.retrain.models.features.Task;

/** Computes every metric that applies to the task, on the same rows. */
public final class Metrics {

	private static final double EPS = 1e-15;

	private Metrics() {
	}

	public static Map<String, Double> compute(Predictions p, double[] labels) {
		if (p.rows() != labels.length) {
			throw new IllegalArgumentException(p.rows() + " predictions for " + labels.length + " labels");
		}
		Map<String, Double> m = new LinkedHashMap<>();
		m.put("rows", (double) labels.length);
		if (labels.length == 0) {
			return m;
		}
		if (p.task() == Task.REGRESSION) {
			double se = 0;
			double ae = 0;
			for (int i = 0; i < labels.length; i++) {
				double d = p.scores()[i] - labels[i];
				se += d * d;
				ae += Math.abs(d);
			}
			m.put(Metric.RMSE.key(), Math.sqrt(se / labels.length));
			m.put(Metric.MAE.key(), ae / labels.length);
			return m;
		}
		m.put(Metric.ACCURACY.key(), accuracy(p, labels));
		m.put(Metric.F1.key(), f1(p, labels));
		m.put(Metric.ROC_AUC.key(), rocAuc(p, labels));
		m.put(Metric.LOG_LOSS.key(), logLoss(p, labels));
		return m;
	}

	static double accuracy(Predictions p, double[] labels) {
		int hit = 0;
		for (int i = 0; i < labels.length; i++) {
			if (p.predictedClass(i) == (int) labels[i]) {
				hit++;
			}
		}
		return (double) hit / labels.length;
	}

	/**
	 * Binary: F1 of the positive class. Multiclass: macro average over classes present.
	 */
	static double f1(Predictions p, double[] labels) {
		int k = (p.task() == Task.BINARY_CLASSIFICATION) ? 2 : p.classes();
		int[] tp = new int[k];
		int[] fp = new int[k];
		int[] fn = new int[k];
		for (int i = 0; i < labels.length; i++) {
			int y = (int) labels[i];
			int yhat = p.predictedClass(i);
			if (y == yhat) {
				tp[y]++;
			}
			else {
				fp[yhat]++;
				fn[y]++;
			}
		}
		if (p.task() == Task.BINARY_CLASSIFICATION) {
			return f1(tp[1], fp[1], fn[1]);
		}
		double sum = 0;
		int present = 0;
		for (int c = 0; c < k; c++) {
			if (tp[c] + fn[c] > 0) {
				sum += f1(tp[c], fp[c], fn[c]);
				present++;
			}
		}
		return (present > 0) ? sum / present : 0.0;
	}

	private static double f1(int tp, int fp, int fn) {
		return (tp == 0) ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
	}

	/**
	 * Binary: the Mann-Whitney form with ties averaged. Multiclass: macro one-vs-rest.
	 * NaN when a class is absent.
	 */
	static double rocAuc(Predictions p, double[] labels) {
		if (p.task() == Task.BINARY_CLASSIFICATION) {
			double[] s = p.scores();
			boolean[] pos = new boolean[labels.length];
			for (int i = 0; i < labels.length; i++) {
				pos[i] = labels[i] == 1.0;
			}
			return auc(s, pos);
		}
		double sum = 0;
		int counted = 0;
		for (int c = 0; c < p.classes(); c++) {
			double[] s = new double[labels.length];
			boolean[] pos = new boolean[labels.length];
			for (int i = 0; i < labels.length; i++) {
				s[i] = p.probability(i, c);
				pos[i] = (int) labels[i] == c;
			}
			double a = auc(s, pos);
			if (!Double.isNaN(a)) {
				sum += a;
				counted++;
			}
		}
		return (counted > 0) ? sum / counted : Double.NaN;
	}

	static double auc(double[] scores, boolean[] positive) {
		int n = scores.length;
		Integer[] order = new Integer[n];
		for (int i = 0; i < n; i++) {
			order[i] = i;
		}
		Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
		double rankSumPos = 0;
		long nPos = 0;
		int i = 0;
		while (i < n) {
			int j = i;
			while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
				j++;
			}
			double avgRank = (i + j) / 2.0 + 1.0;
			for (int t = i; t <= j; t++) {
				if (positive[order[t]]) {
					rankSumPos += avgRank;
					nPos++;
				}
			}
			i = j + 1;
		}
		long nNeg = n - nPos;
		if (nPos == 0 || nNeg == 0) {
			return Double.NaN;
		}
		return (rankSumPos - nPos * (nPos + 1) / 2.0) / ((double) nPos * nNeg);
	}

	static double logLoss(Predictions p, double[] labels) {
		double sum = 0;
		for (int i = 0; i < labels.length; i++) {
			double prob = Math.min(1 - EPS, Math.max(EPS, p.probability(i, (int) labels[i])));
			sum -= Math.log(prob);
		}
		return sum / labels.length;
	}

}

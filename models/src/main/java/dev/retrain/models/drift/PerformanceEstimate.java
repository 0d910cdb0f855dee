package dev.retrain.models.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;

/**
 * Confidence-based performance estimation (CBPE, as NannyML does it): a classifier's
 * accuracy on rows whose labels have not arrived, estimated from its confidence. The
 * confidence of the predicted class is first calibrated on the champion's holdout, where
 * labels are known (isotonic regression of "was the prediction right" on confidence,
 * pool-adjacent-violators), so that a model that is over- or under-confident is read at
 * its real rate; the estimate is then the mean calibrated confidence over the current
 * rows, with the 95% interval of the number of right predictions those probabilities give
 * (a sum of independent Bernoulli draws).
 *
 * @param metric {@code accuracy} (the one metric estimated)
 * @param rows current rows the estimate is over
 * @param estimate the estimated accuracy
 * @param low lower end of its 95% interval
 * @param high upper end
 * @param realised the accuracy measured where the current rows carry labels, or null
 * @param holdout the accuracy on the holdout the calibration was fitted on
 */
public record PerformanceEstimate(String metric, int rows, double estimate, double low, double high, Double realised,
		double holdout) {

	/**
	 * Whether even the top of the estimate's interval is more than {@code floor} below
	 * the holdout's accuracy: a drop seen without labels.
	 */
	public boolean dropped(double floor) {
		return this.high < this.holdout - floor;
	}

	/**
	 * The estimate for a classifier's scores of the current rows, calibrated on its
	 * scores of the holdout with the holdout's labels as {@code label} encodes them; the
	 * current rows' labels, where the column is there, give the realised accuracy (rows
	 * without one are left out of it). Null for regression, without holdout scores, or
	 * when a label is one the model never saw: no estimate rather than a wrong one.
	 */
	public static PerformanceEstimate accuracy(LabelEncoding label, Table holdout, Predictions holdoutScores,
			Table current, Predictions currentScores) {
		if (holdoutScores == null || label.task() == Task.REGRESSION) {
			return null;
		}
		try {
			double[] holdoutLabels = label.encode(holdout);
			double[] currentLabels = null;
			if (current.has(label.column())) {
				currentLabels = new double[current.rows()];
				Arrays.fill(currentLabels, Double.NaN);
				List<Integer> labelled = new ArrayList<>();
				for (int r = 0; r < current.rows(); r++) {
					if (!current.column(label.column()).isNull(r)) {
						labelled.add(r);
					}
				}
				int[] rows = labelled.stream().mapToInt(Integer::intValue).toArray();
				double[] encoded = label.encode(current.select(rows));
				for (int i = 0; i < rows.length; i++) {
					currentLabels[rows[i]] = encoded[i];
				}
			}
			return accuracy(holdoutScores, holdoutLabels, currentScores, currentLabels);
		}
		catch (DataValidationFailed ex) {
			return null;
		}
	}

	/**
	 * Estimates the accuracy of {@code current} from the calibration that
	 * {@code reference} (with {@code referenceLabels}) gives; null for regression or an
	 * empty side. {@code currentLabels} (NaN where a row has none, or null) gives the
	 * realised accuracy.
	 */
	public static PerformanceEstimate accuracy(Predictions reference, double[] referenceLabels, Predictions current,
			double[] currentLabels) {
		if (current.task() == Task.REGRESSION || reference.rows() == 0 || current.rows() == 0) {
			return null;
		}
		int n = reference.rows();
		double[][] pairs = new double[n][];
		double holdoutRight = 0;
		for (int r = 0; r < n; r++) {
			int k = reference.predictedClass(r);
			pairs[r] = new double[] { reference.probability(r, k), (k == (int) referenceLabels[r]) ? 1 : 0 };
			holdoutRight += pairs[r][1];
		}
		Arrays.sort(pairs, (a, b) -> Double.compare(a[0], b[0]));
		double[] x = new double[n];
		double[] y = isotonic(pairs, x);
		double sum = 0;
		double variance = 0;
		int right = 0;
		int labelled = 0;
		for (int r = 0; r < current.rows(); r++) {
			int k = current.predictedClass(r);
			double p = calibrated(x, y, current.probability(r, k));
			sum += p;
			variance += p * (1 - p);
			if (currentLabels != null && !Double.isNaN(currentLabels[r])) {
				labelled++;
				right += (k == (int) currentLabels[r]) ? 1 : 0;
			}
		}
		int m = current.rows();
		double half = 1.96 * Math.sqrt(variance) / m;
		double estimate = sum / m;
		return new PerformanceEstimate("accuracy", m, estimate, Math.max(0, estimate - half),
				Math.min(1, estimate + half), (labelled > 0) ? (double) right / labelled : null, holdoutRight / n);
	}

	/**
	 * The isotonic (non-decreasing) fit of {@code pairs} (confidence, right), sorted by
	 * confidence: fills {@code x} with the confidences and returns the fitted rate at
	 * each.
	 */
	static double[] isotonic(double[][] pairs, double[] x) {
		int n = pairs.length;
		double[] level = new double[n];
		double[] weight = new double[n];
		int[] end = new int[n];
		int blocks = 0;
		for (int i = 0; i < n; i++) {
			x[i] = pairs[i][0];
			level[blocks] = pairs[i][1];
			weight[blocks] = 1;
			end[blocks] = i;
			blocks++;
			while (blocks > 1 && level[blocks - 2] > level[blocks - 1]) {
				double w = weight[blocks - 2] + weight[blocks - 1];
				level[blocks - 2] = (level[blocks - 2] * weight[blocks - 2] + level[blocks - 1] * weight[blocks - 1])
						/ w;
				weight[blocks - 2] = w;
				end[blocks - 2] = end[blocks - 1];
				blocks--;
			}
		}
		double[] fitted = new double[n];
		int start = 0;
		for (int b = 0; b < blocks; b++) {
			for (int i = start; i <= end[b]; i++) {
				fitted[i] = level[b];
			}
			start = end[b] + 1;
		}
		return fitted;
	}

	/**
	 * The fitted rate at confidence {@code c}: linear between the fitted points, flat
	 * beyond them.
	 */
	static double calibrated(double[] x, double[] y, double c) {
		int i = Arrays.binarySearch(x, c);
		if (i >= 0) {
			return y[i];
		}
		int hi = -i - 1;
		if (hi == 0) {
			return y[0];
		}
		if (hi == x.length) {
			return y[x.length - 1];
		}
		int lo = hi - 1;
		double t = (x[hi] > x[lo]) ? (c - x[lo]) / (x[hi] - x[lo]) : 0;
		return y[lo] + t * (y[hi] - y[lo]);
	}

}

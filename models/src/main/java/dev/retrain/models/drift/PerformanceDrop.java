package dev.retrain.models.drift;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;

/**
 * Whether a model's metric on labelled current rows fell below what its holdout gives at
 * that many rows: the threshold is a tail of the metric over bootstrap resamples of the
 * holdout at the current size, and the drop must also reach a floor; for classifiers an
 * exact binomial test of accuracy is added (and required when the metric is accuracy).
 *
 * @param metric the metric compared
 * @param labelledRows how many current rows carried a label
 * @param current the metric on those rows
 * @param holdout the metric on the whole holdout
 * @param threshold the bootstrap tail {@code current} must be worse than
 * @param binomialPValue one-sided p-value of the current accuracy under the holdout's
 * (classifiers only, else null)
 * @param dropped worse than the threshold by at least the floor (and, for accuracy,
 * binomially significant)
 */
public record PerformanceDrop(Metric metric, int labelledRows, double current, double holdout, double threshold,
		Double binomialPValue, boolean dropped) {

	/** Bootstrap resamples of the holdout. */
	static final int BOOTSTRAP = 200;

	/**
	 * Compares the {@code current} predictions with their labels against the
	 * {@code holdout} ones, at a one-sided false-alarm rate {@code tail}; {@code floor}
	 * is the least drop (in the metric's units) that counts, {@code seed} seeds the
	 * bootstrap.
	 */
	public static PerformanceDrop test(Metric metric, Predictions current, double[] currentLabels, Predictions holdout,
			double[] holdoutLabels, long seed, double tail, double floor) {
		int rows = currentLabels.length;
		Map<String, Double> now = Metrics.compute(current, currentLabels);
		Map<String, Double> then = Metrics.compute(holdout, holdoutLabels);
		double value = now.get(metric.key());
		double reference = then.get(metric.key());
		Random random = new Random(seed);
		double[] boot = new double[BOOTSTRAP];
		for (int b = 0; b < BOOTSTRAP; b++) {
			int[] pick = new int[rows];
			double[] labels = new double[rows];
			for (int i = 0; i < pick.length; i++) {
				pick[i] = random.nextInt(holdout.rows());
				labels[i] = holdoutLabels[pick[i]];
			}
			Double v = Metrics.compute(holdout.select(pick), labels).get(metric.key());
			boot[b] = (v != null) ? v : Double.NaN;
		}
		double[] finite = Arrays.stream(boot).filter(Double::isFinite).toArray();
		double threshold = metric.higherIsBetter() ? Calibration.lower(finite, 1 - tail)
				: Calibration.upper(finite, 1 - tail);
		boolean worse = metric.improvement(value, threshold) < 0 && -metric.improvement(value, reference) >= floor;
		Double binomial = null;
		if (holdout.task() != Task.REGRESSION) {
			int correct = (int) Math.round(now.get(Metric.ACCURACY.key()) * rows);
			binomial = DriftStats.binomialLowerPValue(correct, rows, then.get(Metric.ACCURACY.key()));
			if (metric == Metric.ACCURACY) {
				worse &= binomial < tail;
			}
		}
		return new PerformanceDrop(metric, rows, value, reference, threshold, binomial, worse);
	}

}

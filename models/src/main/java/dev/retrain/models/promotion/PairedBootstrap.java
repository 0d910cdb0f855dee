package dev.retrain.models.promotion;

import java.util.Arrays;
import java.util.SplittableRandom;

import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.metrics.RowWeightedMetric;

/**
 * Paired bootstrap of a metric's difference between two models on the same rows: each
 * resample draws n row indices with replacement (seeded, so the same inputs give the same
 * interval), scores both models on those rows and keeps metric(candidate) -
 * metric(champion), oriented so that positive means the candidate is better. The interval
 * is the percentile interval of the resampled differences. A resample is kept as a weight
 * per row (how often it was drawn) in one reused array, and each metric prepares what
 * does not depend on the weights once ({@link RowWeightedMetric}), so a resample is a
 * pass over the rows per model and allocates nothing. Resamples where the metric is
 * undefined (an AUC without both classes) are left out; if more than half are, the
 * interval is NaN.
 */
public final class PairedBootstrap {

	private PairedBootstrap() {
	}

	public static PairedTestResult compare(Metric metric, Predictions candidate, Predictions champion, double[] labels,
			PairedTest test) {
		int n = labels.length;
		if (candidate.rows() != n || champion.rows() != n) {
			throw new IllegalArgumentException("candidate " + candidate.rows() + " and champion " + champion.rows()
					+ " predictions for " + n + " labels: a paired test needs the same rows");
		}
		RowWeightedMetric cand = RowWeightedMetric.of(metric, candidate, labels);
		RowWeightedMetric champ = RowWeightedMetric.of(metric, champion, labels);
		int[] weights = new int[n];
		Arrays.fill(weights, 1);
		double observed = metric.improvement(cand.value(weights), champ.value(weights));
		double[] diffs = new double[test.resamples()];
		int kept = 0;
		int notAbove = 0;
		SplittableRandom random = new SplittableRandom(test.seed());
		for (int b = 0; b < test.resamples() && n > 0; b++) {
			Arrays.fill(weights, 0);
			for (int j = 0; j < n; j++) {
				weights[random.nextInt(n)]++;
			}
			double d = metric.improvement(cand.value(weights), champ.value(weights));
			if (!Double.isNaN(d)) {
				diffs[kept++] = d;
				if (d <= test.margin()) {
					notAbove++;
				}
			}
		}
		double lower = Double.NaN;
		double upper = Double.NaN;
		if (kept * 2 > test.resamples()) {
			Arrays.sort(diffs, 0, kept);
			double alpha = 1 - test.confidence();
			lower = quantile(diffs, kept, alpha / 2);
			upper = quantile(diffs, kept, 1 - alpha / 2);
		}
		String orientation = metric.higherIsBetter() ? "candidate - champion"
				: "champion - candidate (lower " + metric.key() + " is better)";
		return new PairedTestResult(PairedTest.Method.PAIRED_BOOTSTRAP.key(), metric.key(), orientation,
				test.confidence(), test.margin(), test.resamples(), n, null, observed, lower, upper,
				(kept > 0) ? (double) notAbove / kept : Double.NaN);
	}

	/** Linear interpolation between order statistics (R's type 7). */
	static double quantile(double[] sorted, int count, double q) {
		double h = (count - 1) * q;
		int lo = (int) Math.floor(h);
		int hi = Math.min(lo + 1, count - 1);
		return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
	}

}

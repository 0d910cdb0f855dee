package dev.retrain.models.promotion;

import org.apache.commons.statistics.distribution.BetaDistribution;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

import dev.retrain.models.metrics.Predictions;

/**
 * McNemar's test of two classifiers on the same rows, by per-row correctness. Only the
 * discordant rows tell them apart: {@code b} where the candidate alone is right,
 * {@code c} where the champion alone is. Under "equally accurate" b ~ Binomial(b + c,
 * 1/2); the p-value is the exact two-sided one (twice the smaller tail, at most 1). The
 * accuracy difference is (b - c) / n; its interval comes from the Clopper-Pearson
 * interval of b / (b + c) (the inversion of the same exact test), scaled by (b + c) / n,
 * so the interval excludes 0 exactly when the test rejects at 1 - confidence.
 */
public final class McNemar {

	private McNemar() {
	}

	public static PairedTestResult compare(Predictions candidate, Predictions champion, double[] labels,
			PairedTest test) {
		int n = labels.length;
		if (candidate.rows() != n || champion.rows() != n) {
			throw new IllegalArgumentException("candidate " + candidate.rows() + " and champion " + champion.rows()
					+ " predictions for " + n + " labels: a paired test needs the same rows");
		}
		int b = 0;
		int c = 0;
		for (int i = 0; i < n; i++) {
			boolean candRight = candidate.predictedClass(i) == (int) labels[i];
			boolean champRight = champion.predictedClass(i) == (int) labels[i];
			if (candRight && !champRight) {
				b++;
			}
			else if (champRight && !candRight) {
				c++;
			}
		}
		return fromCounts(b, c, n, test);
	}

	/** The test from the discordant counts of {@code n} paired rows. */
	public static PairedTestResult fromCounts(int b, int c, int n, PairedTest test) {
		int m = b + c;
		double alpha = 1 - test.confidence();
		double lower = 0;
		double upper = 0;
		if (m > 0) {
			double piLow = (b == 0) ? 0.0 : BetaDistribution.of(b, c + 1.0).inverseCumulativeProbability(alpha / 2);
			double piHigh = (c == 0) ? 1.0
					: BetaDistribution.of(b + 1.0, c).inverseCumulativeProbability(1 - alpha / 2);
			lower = (double) m / n * (2 * piLow - 1);
			upper = (double) m / n * (2 * piHigh - 1);
		}
		double difference = (n > 0) ? (double) (b - c) / n : 0.0;
		return new PairedTestResult(PairedTest.Method.MCNEMAR.key(), "accuracy", "candidate - champion",
				test.confidence(), test.margin(), null, n, m, difference, lower, upper, exactP(b, c));
	}

	/** Exact two-sided p-value: twice the smaller binomial tail, at most 1. */
	public static double exactP(int b, int c) {
		int m = b + c;
		if (m == 0) {
			return 1.0;
		}
		return Math.min(1.0, 2 * BinomialDistribution.of(m, 0.5).cumulativeProbability(Math.min(b, c)));
	}

	/** The continuity-corrected chi-square p-value, (|b - c| - 1)^2 / (b + c) on 1 df. */
	public static double continuityCorrectedP(int b, int c) {
		int m = b + c;
		if (m == 0) {
			return 1.0;
		}
		double d = Math.max(0, Math.abs(b - c) - 1.0);
		return ChiSquaredDistribution.of(1).survivalProbability(d * d / m);
	}

}

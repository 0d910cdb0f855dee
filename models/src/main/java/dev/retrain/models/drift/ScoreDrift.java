package dev.retrain.models.drift;

import java.util.Arrays;
import java.util.List;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;

/**
 * Drift of a model's outputs: the distribution of its watched score (KS against its
 * spread across reference blocks, PSI as effect size) and, for classifiers, its mean
 * confidence against the band the reference blocks give it.
 *
 * @param ks Kolmogorov-Smirnov statistic of the current scores against the reference
 * scores
 * @param ksThreshold the level {@code ks} exceeds with probability {@code 1 - q} in
 * normal batches
 * @param psi population stability index of the scores on the reference's deciles
 * @param meanConfidence mean probability of the predicted class now (NaN for regression)
 * @param referenceConfidence the same on the reference, less its in-sample bias
 * @param confidenceLow lower end of the normal band of mean confidence (two-sided at
 * {@code q})
 * @param confidenceHigh upper end of that band
 * @param meanEntropy mean entropy (bits) of the predicted distribution now (NaN for
 * regression)
 * @param referenceEntropy the same on the reference
 * @param distributionDrifted {@code ks} above its threshold and {@code psi} at least the
 * floor
 * @param confidenceFlag {@code "unusually unsure"} or {@code "unusually sure"} when the
 * mean confidence left its band by at least the floor, else null
 * @param drifted the distribution drifted or the confidence was flagged
 */
public record ScoreDrift(double ks, double ksThreshold, double psi, double meanConfidence, double referenceConfidence,
		double confidenceLow, double confidenceHigh, double meanEntropy, double referenceEntropy,
		boolean distributionDrifted, String confidenceFlag, boolean drifted) {

	/**
	 * Tests the {@code current} outputs against the {@code reference} outputs, calibrated
	 * on the reference's {@code blocks} (see {@link Calibration}) at the {@code q}
	 * quantile. {@code inSampleBias} is how much the reference's mean confidence is
	 * inflated by being in-sample (a non-finite value counts as 0); {@code psiFloor} is
	 * the effect floor of the score distribution, {@code confidenceFloor} the least move
	 * of mean confidence that can be flagged.
	 */
	public static ScoreDrift test(Predictions reference, Predictions current, List<int[]> blocks, double q,
			double inSampleBias, double psiFloor, double confidenceFloor) {
		double[] r = scores(reference, null);
		double[] c = scores(current, null);
		Arrays.sort(r);
		Arrays.sort(c);
		double ks = DriftStats.ks(r, c);
		double psi = DriftStats.psi(r, c, DriftStats.decileEdges(r));
		double[] normalKs = new double[blocks.size()];
		double[] normalConfidence = new double[blocks.size()];
		for (int b = 0; b < blocks.size(); b++) {
			double[] s = scores(reference, blocks.get(b));
			normalConfidence[b] = meanConfidence(reference, blocks.get(b));
			Arrays.sort(s);
			normalKs[b] = DriftStats.ks(r, s);
		}
		double threshold = Calibration.upper(normalKs, q);
		boolean distribution = ks > threshold && psi >= psiFloor;
		double confidence = meanConfidence(current, null);
		double bias = Double.isFinite(inSampleBias) ? inSampleBias : 0.0;
		double refConfidence = meanConfidence(reference, null) - bias;
		double low = Calibration.lower(normalConfidence, 1 - (1 - q) / 2) - bias;
		double high = Calibration.upper(normalConfidence, 1 - (1 - q) / 2) - bias;
		String flag = null;
		if (reference.task() != Task.REGRESSION && Math.abs(confidence - refConfidence) >= confidenceFloor) {
			flag = (confidence < low) ? "unusually unsure" : (confidence > high) ? "unusually sure" : null;
		}
		return new ScoreDrift(ks, threshold, psi, confidence, refConfidence, low, high, meanEntropy(current),
				meanEntropy(reference), distribution, flag, distribution || flag != null);
	}

	/**
	 * How much higher a model's mean confidence is on rows it was trained on
	 * ({@code inSample}) than on rows it was not ({@code outOfSample}); NaN for
	 * regression.
	 */
	public static double inSampleBias(Predictions inSample, Predictions outOfSample) {
		return meanConfidence(inSample, null) - meanConfidence(outOfSample, null);
	}

	/**
	 * The score whose distribution is watched: P(positive), the top-class probability, or
	 * the predicted value.
	 */
	static double[] scores(Predictions p, int[] rows) {
		int n = (rows != null) ? rows.length : p.rows();
		double[] s = new double[n];
		for (int i = 0; i < n; i++) {
			int r = (rows != null) ? rows[i] : i;
			s[i] = switch (p.task()) {
				case BINARY_CLASSIFICATION, REGRESSION -> p.scores()[r];
				case MULTICLASS_CLASSIFICATION -> p.probability(r, p.predictedClass(r));
			};
		}
		return s;
	}

	/**
	 * Mean probability of the predicted class (all rows, or the given ones); NaN for
	 * regression or no rows.
	 */
	static double meanConfidence(Predictions p, int[] rows) {
		if (p.task() == Task.REGRESSION) {
			return Double.NaN;
		}
		int n = (rows != null) ? rows.length : p.rows();
		double sum = 0;
		for (int i = 0; i < n; i++) {
			int r = (rows != null) ? rows[i] : i;
			sum += p.probability(r, p.predictedClass(r));
		}
		return (n > 0) ? sum / n : Double.NaN;
	}

	/**
	 * Mean entropy in bits of the predicted class distribution; NaN for regression or no
	 * rows.
	 */
	static double meanEntropy(Predictions p) {
		if (p.task() == Task.REGRESSION) {
			return Double.NaN;
		}
		int k = (p.task() == Task.BINARY_CLASSIFICATION) ? 2 : p.classes();
		double sum = 0;
		for (int r = 0; r < p.rows(); r++) {
			for (int c = 0; c < k; c++) {
				double pr = p.probability(r, c);
				if (pr > 0) {
					sum -= pr * Math.log(pr) / Math.log(2);
				}
			}
		}
		return (p.rows() > 0) ? sum / p.rows() : Double.NaN;
	}

}

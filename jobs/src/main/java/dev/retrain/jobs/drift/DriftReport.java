package dev.retrain.jobs.drift;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import dev.retrain.models.drift.Histogram;
import dev.retrain.models.drift.PerformanceEstimate;

/**
 * One drift check: what was compared (champion version, current window), every statistic
 * with its threshold and why that test, the three signals, the decision and its reason,
 * and what it led to.
 */
public record DriftReport(Long id, String pipeline, LocalDate asOf, Instant createdAt, String trigger,
		Integer championVersion, LocalDate currentFrom, LocalDate currentTo, int currentRows, int referenceRows,
		int calibrationBlocks, String calibration, Status status, String summary, List<FeatureDrift> features,
		PredictionDrift prediction, PerformanceDrift performance, Map<String, Boolean> signals, String outcome,
		CostSignal cost, PerformanceEstimate estimate) {

	/**
	 * The cost trigger at this check: the metric lost against the champion's holdout
	 * ({@code loss}; negative where the champion did better) on {@code rows} labelled
	 * rows, its cost ({@code staleness}), the cost summed over the checks since the last
	 * retrain (never below 0), the price of a retrain, and whether the sum reached it.
	 */
	public record CostSignal(double loss, int rows, double staleness, double sinceLastRetrain, double retrainCost,
			boolean due) {
	}

	/** How a check ended. */
	public enum Status {

		DRIFT, NO_DRIFT, INSUFFICIENT_DATA, NO_DATA, NO_CHAMPION

	}

	/**
	 * One feature: {@code statistic} (KS for numeric, Jensen-Shannon distance for
	 * categorical) against its calibrated {@code threshold}; {@code effect} (PSI, or the
	 * JS distance) against its floor.
	 */
	public record FeatureDrift(String feature, String type, String test, String why, double statistic, double threshold,
			double effect, double effectFloor, double pValue, Double wassersteinNormalized, Double psi,
			Double unseenCategoryRate, boolean drifted, Histogram histogram) {
	}

	/**
	 * The champion's scores now vs on its reference: distribution (KS, PSI) and
	 * confidence (mean, entropy).
	 */
	public record PredictionDrift(double ks, double ksThreshold, double psi, double meanConfidence,
			double referenceConfidence, double confidenceLow, double confidenceHigh, double meanEntropy,
			double referenceEntropy, boolean distributionDrifted, String confidenceFlag, boolean drifted,
			Histogram scores) {
	}

	/**
	 * The champion's primary metric on labelled current rows vs on its holdout,
	 * bootstrapped at the current size. {@code source}: {@code production} (the stored
	 * predictions of the window's days joined with the labels that landed for them) or
	 * {@code rescored} (the champion scoring the window's labelled input rows); null in
	 * reports written before it was recorded.
	 */
	public record PerformanceDrift(String metric, int labelledRows, double current, double holdout, double threshold,
			Double binomialPValue, boolean drifted, String source) {
	}

}

package dev.retrain.jobs.drift;

import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.retrain.jobs.pipeline.DriftPolicy;
import dev.retrain.models.drift.CategoricalDrift;
import dev.retrain.models.drift.Histogram;
import dev.retrain.models.drift.NumericDrift;
import dev.retrain.models.drift.PerformanceDrop;
import dev.retrain.models.drift.PerformanceEstimate;
import dev.retrain.models.drift.ScoreDrift;

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
	 * A check that compared nothing ({@code status} says why: no champion, no data, too
	 * few rows), over the window {@code from} .. {@code asOf}.
	 */
	static DriftReport skipped(String pipeline, LocalDate asOf, Instant createdAt, String trigger, Integer champion,
			LocalDate from, Status status, String summary) {
		return new DriftReport(null, pipeline, asOf, createdAt, trigger, champion, from, asOf, 0, 0, 0, null, status,
				summary, List.of(), null, null, Map.of(), null, null, null);
	}

	/**
	 * A check that compared the window {@code from} .. {@code asOf} with champion
	 * {@code champion}'s reference: the signals of {@code policy} from the tests'
	 * results, the decision (any or all of the signals the policy triggers on) and its
	 * summary.
	 */
	static DriftReport checked(String pipeline, LocalDate asOf, Instant createdAt, String trigger, int champion,
			LocalDate from, int currentRows, int referenceRows, Calibrated calibrated, DriftPolicy policy,
			List<FeatureDrift> features, PredictionDrift prediction, PerformanceDrift performance, CostSignal cost,
			PerformanceEstimate estimate) {
		long drifted = features.stream().filter(FeatureDrift::drifted).count();
		boolean input = drifted > 0 && (double) drifted / features.size() >= policy.minDriftedShare();
		Map<String, Boolean> signals = new LinkedHashMap<>();
		signals.put("input", input);
		signals.put("prediction", prediction.drifted());
		// a metric that is not a number (roc_auc on labels of one class) measured nothing
		boolean measured = performance != null && Double.isFinite(performance.current());
		signals.put("performance", measured ? performance.drifted() : null);
		signals.put("cost", (cost != null) ? cost.due() : null);
		signals.put("estimate", (estimate != null) ? estimate.dropped(policy.performanceFloor()) : null);
		List<Boolean> enabled = policy.triggerOn()
			.stream()
			.map(s -> signals.get(s.name().toLowerCase(Locale.ROOT)))
			.toList();
		boolean positive = policy.all() ? !enabled.isEmpty() && enabled.stream().allMatch(Boolean.TRUE::equals)
				: enabled.stream().anyMatch(Boolean.TRUE::equals);
		String moved = String.join(", ",
				features.stream().filter(FeatureDrift::drifted).map(FeatureDrift::feature).toList());
		String inputs = (drifted == 0) ? "no feature drifted" : String.format(Locale.ROOT, "%d of %d %s drifted (%s)",
				drifted, features.size(), (features.size() == 1) ? "feature" : "features", moved);
		String summary = String.format(Locale.ROOT,
				"%s: %s (input %s, share needed %.2f); " + "prediction %s; performance %s; decision on %s (%s)",
				positive ? "drift" : "no drift", inputs, input ? "yes" : "no", policy.minDriftedShare(),
				prediction.drifted() ? "drifted" : "stable",
				(performance == null) ? "not measured (no labels)"
						: !measured ? String.format(Locale.ROOT,
								"not measured (%s is not defined on the %d labelled rows, e.g. all of one class)",
								performance.metric(), performance.labelledRows())
								: (performance.drifted() ? "dropped" : "stable")
										+ ("production".equals(performance.source()) ? " in production" : "")
										+ String.format(Locale.ROOT, " (%s %.4f vs %.4f)", performance.metric(),
												performance.current(), performance.holdout()),
				String.join(", ", policy.triggerOn().stream().map(t -> t.name().toLowerCase(Locale.ROOT)).toList()),
				policy.all() ? "all" : "any");
		return new DriftReport(null, pipeline, asOf, createdAt, trigger, champion, from, asOf, currentRows,
				referenceRows, calibrated.blocks(), calibrated.describe(currentRows, policy.alpha()),
				positive ? Status.DRIFT : Status.NO_DRIFT,
				summary + ((cost != null) ? String.format(Locale.ROOT,
						"; staleness cost %.1f since the last retrain against %.1f a retrain%s",
						cost.sinceLastRetrain(), cost.retrainCost(), cost.due() ? ": due" : "") : ""),
				features, prediction, performance, signals, null, cost, estimate);
	}

	/** This report as stored: with its id and what it led to. */
	DriftReport withId(long id, String outcome) {
		return new DriftReport(id, this.pipeline, this.asOf, this.createdAt, this.trigger, this.championVersion,
				this.currentFrom, this.currentTo, this.currentRows, this.referenceRows, this.calibrationBlocks,
				this.calibration, this.status, this.summary, this.features, this.prediction, this.performance,
				this.signals, outcome, this.cost, this.estimate);
	}

	/**
	 * How the thresholds were calibrated: {@code blocks} blocks of the reference, day
	 * blocks or random subsamples ({@code dayBlocks}), thresholds at the {@code q}
	 * quantile, the false-alarm rate split over {@code tests} tests.
	 */
	record Calibrated(int blocks, boolean dayBlocks, double q, int tests) {

		String describe(int rows, double alpha) {
			return String.format(Locale.ROOT,
					"%d %s of the reference at %d rows; thresholds at the %.4f quantile (alpha %.3f over %d tests)",
					this.blocks, this.dayBlocks ? "day blocks" : "random subsamples", rows, this.q, alpha, this.tests);
		}

	}

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

		static FeatureDrift numeric(String feature, NumericDrift d, double effectFloor, Histogram histogram) {
			return new FeatureDrift(feature, "numeric", "ks",
					"numeric: Kolmogorov-Smirnov against its spread across reference blocks; PSI on reference deciles as effect size",
					d.ks(), d.threshold(), d.psi(), effectFloor, d.pValue(), d.wassersteinNormalized(), d.psi(), null,
					d.drifted(), histogram);
		}

		static FeatureDrift categorical(String feature, CategoricalDrift d, double effectFloor, Histogram histogram) {
			return new FeatureDrift(feature, "categorical", "jensen-shannon",
					"categorical: Jensen-Shannon distance against its spread across reference blocks (also its effect size); chi-square p-value for reference",
					d.jensenShannon(), d.threshold(), d.jensenShannon(), effectFloor, d.chiSquarePValue(), null, null,
					d.unseenRate(), d.drifted(), histogram);
		}

	}

	/**
	 * The champion's scores now vs on its reference: distribution (KS, PSI) and
	 * confidence (mean, entropy).
	 */
	public record PredictionDrift(double ks, double ksThreshold, double psi, double meanConfidence,
			double referenceConfidence, double confidenceLow, double confidenceHigh, double meanEntropy,
			double referenceEntropy, boolean distributionDrifted, String confidenceFlag, boolean drifted,
			Histogram scores) {

		static PredictionDrift of(ScoreDrift d, Histogram scores) {
			return new PredictionDrift(d.ks(), d.ksThreshold(), d.psi(), d.meanConfidence(), d.referenceConfidence(),
					d.confidenceLow(), d.confidenceHigh(), d.meanEntropy(), d.referenceEntropy(),
					d.distributionDrifted(), d.confidenceFlag(), d.drifted(), scores);
		}

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

		/**
		 * The drop test's result; a metric that is not a number has no p-value and no
		 * drop.
		 */
		static PerformanceDrift of(PerformanceDrop d, String source) {
			boolean measured = Double.isFinite(d.current());
			return new PerformanceDrift(d.metric().key(), d.labelledRows(), d.current(), d.holdout(), d.threshold(),
					measured ? d.binomialPValue() : null, measured && d.dropped(), source);
		}

	}

}

package dev.retrain.jobs.backtest;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import dev.retrain.jobs.drift.DriftReport;

/**
 * A backtest's results: per policy the metric per period, its cost, and the champion's
 * timeline; and naive baselines.
 */
public record BacktestReport(String pipeline, String metric, int periodDays, int warmupDays, LocalDate from,
		LocalDate to, List<PolicyResult> policies, List<Baseline> baselines, long elapsedMillis) {

	/**
	 * One policy replayed over the history, seeing labels {@code labelDelayPeriods}
	 * periods late.
	 */
	public record PolicyResult(String name, String description, double meanMetric, int periods, int retrains,
			int promotions, long rowsTrained, long trainingMillis, long checkMillis, long scoringMillis,
			long totalMillis, List<Period> timeline, List<ChampionChange> champions, int labelDelayPeriods) {

		/** A policy that saw labels as soon as each period ended. */
		public PolicyResult(String name, String description, double meanMetric, int periods, int retrains,
				int promotions, long rowsTrained, long trainingMillis, long checkMillis, long scoringMillis,
				long totalMillis, List<Period> timeline, List<ChampionChange> champions) {
			this(name, description, meanMetric, periods, retrains, promotions, rowsTrained, trainingMillis, checkMillis,
					scoringMillis, totalMillis, timeline, champions, 0);
		}

	}

	/**
	 * One period, test-then-train: the champion's metric on it before its labels were
	 * used, and what the policy did at its end: {@code drift} is the drift check's whole
	 * report (drift policies), {@code psi} each numeric feature's PSI (the fixed-PSI
	 * rule), {@code why} the reason for a retrain. {@code predictions} and {@code labels}
	 * let anyone recompute the metric. {@code trainedThrough} is the last day of the
	 * window the retrain job trained on (its run's as-of date; null without a retrain):
	 * with labels late, before the period's end. {@code committee}, with a committee
	 * champion, is each member's weight (by version, oldest first) when the period was
	 * scored: its predictions are their weighted vote; null without one.
	 * {@code committeeUpdates} are the weight updates made at the period's end, from the
	 * labels that arrived then (none, or with labels late, an earlier period's).
	 */
	public record Period(LocalDate start, LocalDate end, int rows, double metric, Integer championVersion,
			boolean retrained, boolean promoted, String why, DriftReport drift, Map<String, Double> psi,
			double[] predictions, double[] labels, LocalDate trainedThrough, Map<Integer, Double> committee,
			List<CommitteeUpdate> committeeUpdates) {

		/** A period scored by the champion alone. */
		public Period(LocalDate start, LocalDate end, int rows, double metric, Integer championVersion,
				boolean retrained, boolean promoted, String why, DriftReport drift, Map<String, Double> psi,
				double[] predictions, double[] labels, LocalDate trainedThrough) {
			this(start, end, rows, metric, championVersion, retrained, promoted, why, drift, psi, predictions, labels,
					trainedThrough, null, List.of());
		}

		/** A period whose retrain (if any) is not told. */
		public Period(LocalDate start, LocalDate end, int rows, double metric, Integer championVersion,
				boolean retrained, boolean promoted, String why, DriftReport drift, Map<String, Double> psi,
				double[] predictions, double[] labels) {
			this(start, end, rows, metric, championVersion, retrained, promoted, why, drift, psi, predictions, labels,
					null);
		}

	}

	/**
	 * A committee's weights moved by the labels of the period {@code labelledStart} ..
	 * {@code labelledEnd}: each member's loss on it (by version) and the weights after.
	 */
	public record CommitteeUpdate(LocalDate labelledStart, LocalDate labelledEnd, Map<Integer, Double> losses,
			Map<Integer, Double> weights) {
	}

	/** When a version became champion. */
	public record ChampionChange(LocalDate asOf, int version) {
	}

	/** A naive reference point, computed from the labels alone. */
	public record Baseline(String name, double meanMetric, List<Double> perPeriod) {
	}

}

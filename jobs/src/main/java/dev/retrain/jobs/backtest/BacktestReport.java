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

	/** One policy replayed over the history. */
	public record PolicyResult(String name, String description, double meanMetric, int periods, int retrains,
			int promotions, long rowsTrained, long trainingMillis, long checkMillis, long scoringMillis,
			long totalMillis, List<Period> timeline, List<ChampionChange> champions) {
	}

	/**
	 * One period, test-then-train: the champion's metric on it before its labels were
	 * used, and what the policy did at its end: {@code drift} is the drift check's whole
	 * report (drift policies), {@code psi} each numeric feature's PSI (the fixed-PSI
	 * rule), {@code why} the reason for a retrain. {@code predictions} and {@code labels}
	 * let anyone recompute the metric.
	 */
	public record Period(LocalDate start, LocalDate end, int rows, double metric, Integer championVersion,
			boolean retrained, boolean promoted, String why, DriftReport drift, Map<String, Double> psi,
			double[] predictions, double[] labels) {
	}

	/** When a version became champion. */
	public record ChampionChange(LocalDate asOf, int version) {
	}

	/** A naive reference point, computed from the labels alone. */
	public record Baseline(String name, double meanMetric, List<Double> perPeriod) {
	}

}

package dev.retrain.jobs.backtest;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.retrain.jobs.backtest.BacktestReport.ChampionChange;
import dev.retrain.jobs.backtest.BacktestReport.Period;
import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;
import dev.retrain.jobs.backtest.PolicySandbox.Retrain;

/**
 * Tallies one policy's replay for the report: its periods, when each champion took over,
 * its retrains and where the time went; and makes them its {@link PolicyResult}.
 */
final class PolicyTally {

	private final List<Period> timeline = new ArrayList<>();

	private final List<ChampionChange> champions = new ArrayList<>();

	private long trainingMillis;

	private long checkMillis;

	private long scoringMillis;

	private long rowsTrained;

	private int retrains;

	/** Milliseconds since {@code startNanos}, a {@link System#nanoTime()}. */
	static long millisSince(long startNanos) {
		return (System.nanoTime() - startNanos) / 1_000_000;
	}

	/**
	 * A training run's cost (the warm-up's, or a retrain's as part of
	 * {@link #retrained}).
	 */
	void trained(Retrain run) {
		this.trainingMillis += run.trainingMillis();
		this.rowsTrained += run.trainRows();
	}

	void retrained(Retrain run) {
		this.retrains++;
		trained(run);
	}

	/**
	 * Notes the champion as of a day, when it is another version than the last one noted.
	 */
	void championSince(LocalDate asOf, Optional<Integer> champion) {
		champion.ifPresent(v -> {
			if (this.champions.isEmpty() || this.champions.get(this.champions.size() - 1).version() != v) {
				this.champions.add(new ChampionChange(asOf, v));
			}
		});
	}

	void scoredSince(long startNanos) {
		this.scoringMillis += millisSince(startNanos);
	}

	void checkedSince(long startNanos) {
		this.checkMillis += millisSince(startNanos);
	}

	void period(Period period) {
		this.timeline.add(period);
	}

	/**
	 * The policy's result: the mean of its periods' metrics (those that have one), its
	 * counts and its costs.
	 */
	PolicyResult result(BacktestPolicy policy, long totalMillis) {
		double mean = this.timeline.stream()
			.mapToDouble(Period::metric)
			.filter(Double::isFinite)
			.average()
			.orElse(Double.NaN);
		int promotions = (int) this.timeline.stream().filter(Period::promoted).count();
		return new PolicyResult(policy.name(), policy.describe(), mean, this.timeline.size(), this.retrains, promotions,
				this.rowsTrained, this.trainingMillis, this.checkMillis, this.scoringMillis, totalMillis, this.timeline,
				this.champions, policy.labelDelayPeriods());
	}

}

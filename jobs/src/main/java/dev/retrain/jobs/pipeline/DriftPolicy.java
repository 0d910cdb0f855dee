package dev.retrain.jobs.pipeline;

import java.util.List;

/**
 * How a pipeline watches for drift. The current window is the last {@code currentDays}
 * partitions up to the check's date. A statistic is "drifted" when it exceeds what the
 * champion's own reference data shows for batches of that size (calibrated, with the
 * family-wise rate {@code alpha} shared by all features) and its effect size reaches the
 * floor. Input drift needs at least {@code minDriftedShare} of the features.
 * {@code triggerOn} names the signals that may start a retrain; {@code all} requires
 * every one of them, otherwise any one suffices. No drift-triggered retrain starts within
 * {@code cooldownHours} of the last retrain; {@code budget} (or null) caps automatic
 * retrains over time.
 */
public record DriftPolicy(PipelineDefinition.Schedule schedule, int currentDays, int minRows, double alpha,
		double minDriftedShare, double numericEffectFloor, double categoricalEffectFloor, double performanceFloor,
		List<Signal> triggerOn, boolean all, double cooldownHours, OnNewPartition onNewPartition, Budget budget,
		Cost cost) {

	/**
	 * The cost trigger: retrain when the staleness cost since the last retrain (the
	 * metric lost against the champion's holdout, in points of 0.01, times the labelled
	 * rows it was lost on, times {@code valuePerPoint}, summed over checks) reaches
	 * {@code retrainCost}.
	 */
	public record Cost(double retrainCost, double valuePerPoint) {
	}

	/**
	 * At most {@code maxRetrains} automatic retrains (schedule, drift, new data) in any
	 * {@code perDays} days, whatever the triggers ask; a manual launch is not limited.
	 */
	public record Budget(int maxRetrains, int perDays) {
	}

	/** The three kinds of evidence a check produces. */
	public enum Signal {

		INPUT, PREDICTION, PERFORMANCE, COST, ESTIMATE

	}

	/** What to do when a new day partition appears in the data directory. */
	public enum OnNewPartition {

		NONE, CHECK, RETRAIN

	}

}

package dev.retrain.jobs.pipeline;

/** Data checks a window must pass before anything is trained. */
public record ValidationRules(int minRows, int minRowsPerClass, double maxMissingRate, double maxUnseenCategoryRate,
		int minHoldoutRows) {
}

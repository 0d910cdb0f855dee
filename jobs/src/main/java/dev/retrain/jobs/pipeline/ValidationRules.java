package dev.retrain.jobs.pipeline;

/**
 * Data checks a window must pass before anything is trained.
 * {@code referenceRangeFactor}: a numeric value farther outside the champion's training
 * range than this many times that range's size is a data error, not drift (0: no such
 * check).
 */
public record ValidationRules(int minRows, int minRowsPerClass, double maxMissingRate, double maxUnseenCategoryRate,
		int minHoldoutRows, double referenceRangeFactor) {
}

package dev.retrain.jobs.registry;

/**
 * A run's winning version was not promoted: the champion moved from {@code seen} to
 * {@code now} after evaluation.
 */
public record PromotionConflicted(String pipeline, int version, Integer seen, Integer now,
		Long runId) implements VersionEvent {
}

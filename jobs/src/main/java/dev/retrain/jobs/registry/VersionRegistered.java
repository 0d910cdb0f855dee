package dev.retrain.jobs.registry;

/**
 * A run registered a new version, with where it stands ({@code PENDING} waits for a
 * person).
 */
public record VersionRegistered(String pipeline, int version, Decision decision, String summary,
		Long runId) implements VersionEvent {
}

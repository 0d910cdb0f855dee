package dev.retrain.jobs.registry;

/** A person approved or rejected a version that waited for approval. */
public record VersionReviewed(String pipeline, int version, Review review, String actor,
		String reason) implements VersionEvent {
}

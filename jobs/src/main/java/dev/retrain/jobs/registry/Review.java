package dev.retrain.jobs.registry;

/** A person's verdict on a version that waited for approval. */
public enum Review {

	APPROVED, REJECTED

}

package dev.retrain.jobs.registry;

/**
 * The pipeline has no committee champion (no {@code promotion.committee}, or none yet).
 */
public class CommitteeNotFound extends RuntimeException {

	public CommitteeNotFound(String pipeline, String why) {
		super("pipeline '" + pipeline + "' has no committee: " + why);
	}

}

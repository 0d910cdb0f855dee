package dev.retrain.jobs.registry;

/** The pipeline has no such model version. */
public class VersionNotFound extends RuntimeException {

	public VersionNotFound(String pipeline, int version) {
		super("pipeline '" + pipeline + "' has no model version " + version);
	}

}

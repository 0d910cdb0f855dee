package dev.retrain.jobs.registry;

/** The pipeline exists, but no alias of that name points at one of its versions. */
public class AliasNotFound extends RuntimeException {

	public AliasNotFound(String pipeline, String alias) {
		super("pipeline '" + pipeline + "' has no alias '" + alias + "'");
	}

}

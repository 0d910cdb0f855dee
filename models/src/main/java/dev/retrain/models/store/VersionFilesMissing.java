package dev.retrain.models.store;

/**
 * A registered version whose files are not (all) in the store: the registry and the store
 * disagree. The message names the file, relative to the store.
 */
public class VersionFilesMissing extends RuntimeException {

	public VersionFilesMissing(String pipeline, int version, String missing) {
		super("model version " + version + " of " + pipeline + " is missing " + missing
				+ " in the model store; the registry and the store disagree");
	}

}

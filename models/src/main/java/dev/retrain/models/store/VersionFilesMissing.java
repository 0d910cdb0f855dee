package dev.retrain.models.store;

/**
 * A registered version whose files are not (all) in the store: the registry and the store
 * disagree. The message names the file, relative to the store.
 */
public class VersionFilesMissing extends RuntimeException {

	/**
	 * {@code problem} says what is wrong: "is missing p/3/model.params", "has
	 * p/3/model.params changed ...".
	 */
	public VersionFilesMissing(String pipeline, int version, String problem) {
		super("model version " + version + " of " + pipeline + " " + problem
				+ " in the model store; the registry and the store disagree");
	}

}

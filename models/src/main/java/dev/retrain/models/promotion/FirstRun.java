package dev.retrain.models.promotion;

/** What to do when there is no champion yet. */
public enum FirstRun {

	/** Promote the first candidate whatever its metric. */
	PROMOTE,
	/** Promote it if it meets the policy's minimum value (the default). */
	PROMOTE_IF_MIN_VALUE,
	/** Never promote automatically: register it and leave the decision to a person. */
	HOLD

}

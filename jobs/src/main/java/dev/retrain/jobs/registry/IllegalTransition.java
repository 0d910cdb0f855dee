package dev.retrain.jobs.registry;

/**
 * A move the version's state does not allow (approving a version that is not pending,
 * promoting a rejected one without force).
 */
public class IllegalTransition extends RuntimeException {

	public IllegalTransition(String message) {
		super(message);
	}

}

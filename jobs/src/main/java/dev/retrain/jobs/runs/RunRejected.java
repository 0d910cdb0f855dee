package dev.retrain.jobs.runs;

/**
 * A launch or restart that cannot go ahead as asked (e.g. that date and run key already
 * completed).
 */
public class RunRejected extends RuntimeException {

	public RunRejected(String message, Throwable cause) {
		super(message, cause);
	}

}

package dev.retrain.jobs.runs;

/** No run has this id. */
public class RunNotFound extends RuntimeException {

	public RunNotFound(long runId) {
		super("no run with id " + runId);
	}

}

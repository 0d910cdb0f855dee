package dev.retrain.jobs.runs;

/**
 * A pipeline already has a run in progress (on this node or another); names it when it is
 * known.
 */
public class RunAlreadyActive extends RuntimeException {

	private final String pipeline;

	private final Long runId;

	public RunAlreadyActive(String pipeline, Long runId, String detail) {
		super("pipeline '" + pipeline + "' already has a run in progress"
				+ ((runId != null) ? " (run " + runId + ")" : " (starting)") + ((detail != null) ? ": " + detail : ""));
		this.pipeline = pipeline;
		this.runId = runId;
	}

	public String pipeline() {
		return this.pipeline;
	}

	public Long runId() {
		return this.runId;
	}

}

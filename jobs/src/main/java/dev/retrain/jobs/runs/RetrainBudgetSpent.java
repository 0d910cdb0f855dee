package dev.retrain.jobs.runs;

/**
 * An automatic retrain refused because its pipeline's retrain budget is spent
 * ({@code drift.budget}).
 */
public class RetrainBudgetSpent extends RunRejected {

	private final String pipeline;

	public RetrainBudgetSpent(String pipeline, String reason) {
		super(reason, null);
		this.pipeline = pipeline;
	}

	public String pipeline() {
		return this.pipeline;
	}

}

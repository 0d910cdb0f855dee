package dev.retrain.jobs.pipeline;

/** One thing wrong in a pipeline file: the field (dotted path) and why. */
public record ConfigProblem(String field, String reason) {

	@Override
	public String toString() {
		return (this.field != null && !this.field.isEmpty()) ? "field '" + this.field + "': " + this.reason
				: this.reason;
	}

}

package dev.retrain.jobs.runs;

/** A person asked a running run to stop. */
public record RunStopRequested(String pipeline, long runId, String actor) {
}

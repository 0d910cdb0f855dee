package dev.retrain.jobs.runs;

/** A retrain run ended (completed, failed or stopped), as its record says. */
public record RunFinished(RunRecord run) {
}

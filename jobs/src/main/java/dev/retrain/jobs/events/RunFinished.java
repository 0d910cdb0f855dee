package dev.retrain.jobs.events;

import dev.retrain.jobs.runs.RunRecord;

/** A retrain run ended (completed, failed or stopped), as its record says. */
public record RunFinished(RunRecord run) {
}

package dev.retrain.jobs.runs;

/**
 * A person launched a run ({@code actor}); automatic launches (schedules, drift, data
 * arrival) are told by their run's trigger.
 */
public record RunLaunched(LaunchedRun run, String actor) {
}

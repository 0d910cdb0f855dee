package dev.retrain.jobs.runs;

/** A person restarted a failed or stopped run: {@code run} is the new one. */
public record RunRestarted(long previousRunId, LaunchedRun run, String actor) {
}

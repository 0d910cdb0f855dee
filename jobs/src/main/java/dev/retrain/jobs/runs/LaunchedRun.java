package dev.retrain.jobs.runs;

import java.time.LocalDate;

/**
 * A run that was started: its id (the job execution id) and the identifying parameters
 * used.
 */
public record LaunchedRun(long runId, String pipeline, LocalDate asOf, String runKey, String trigger) {
}

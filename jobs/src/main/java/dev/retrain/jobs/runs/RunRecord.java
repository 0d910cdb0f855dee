package dev.retrain.jobs.runs;

import java.time.Instant;
import java.time.LocalDate;

import dev.retrain.jobs.registry.Decision;

/**
 * One execution of the retrain job as the run history shows it. {@code runId} is the
 * Spring Batch job execution id; a restart of a failed run is a new execution of the same
 * job instance.
 */
public record RunRecord(long runId, long jobInstanceId, String pipeline, LocalDate asOf, String runKey, String trigger,
		String cause, String requestedMode, String mode, String modeReason, String status, String snapshotId,
		Long rowsRead, Integer candidateVersion, Integer championVersion, Decision decision, String decisionSummary,
		String failureReason, String progress, String details, Instant createdAt, Instant endedAt) {
}

package dev.retrain.jobs.drift;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A drift event as recorded: from our own checks ({@code source = drift-check}) or an
 * external monitor, and what it led to ({@code outcome}: STARTED_RUN, MERGED into a
 * running retrain, SUPPRESSED by the cooldown), with the run it started or was merged
 * into.
 */
public record DriftEvent(long id, String pipeline, String source, String eventId, String severity, LocalDate asOf,
		String details, Instant receivedAt, String outcome, Long runId, String reason, boolean duplicate) {
}

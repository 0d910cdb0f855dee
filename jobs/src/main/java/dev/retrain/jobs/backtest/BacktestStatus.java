package dev.retrain.jobs.backtest;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A backtest as a client sees it: its status in the words the API has always used
 * (RUNNING while queued or replaying, STOPPING, STOPPED, COMPLETED, FAILED; Spring
 * Batch's ABANDONED and UNKNOWN as they are), the last progress line, the failure's first
 * line, and the report's directory once the report was written.
 */
public record BacktestStatus(long id, String pipeline, String status, String progress, Instant createdAt,
		Instant endedAt, String failure, Path reportDir) {
}

package dev.retrain.jobs.runs;

import java.time.Instant;
import java.util.List;

/**
 * Another node stopped heartbeating and was declared stopped: what it was running is to
 * be recovered. {@code failedRuns}: the runs it held, which the declaring node has just
 * marked FAILED.
 */
public record NodeStopped(String node, Instant lastBeat, String declaredBy, List<Long> failedRuns) {

	public NodeStopped {
		failedRuns = List.copyOf(failedRuns);
	}

}

package dev.retrain.jobs.runs;

import java.time.Instant;

/**
 * Another node stopped heartbeating and was declared stopped: what it was running is to
 * be recovered.
 */
public record NodeStopped(String node, Instant lastBeat, String declaredBy) {
}

package dev.retrain.jobs.drift;

/** A drift check decided there is drift, and what that led to. */
public record DriftDetected(String pipeline, long reportId, String summary, String outcome) {
}

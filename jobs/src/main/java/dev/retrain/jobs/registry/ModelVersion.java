package dev.retrain.jobs.registry;

import java.time.Instant;

/** A registered, immutable model version as the registry lists it; {@code metrics} is the holdout metrics as JSON. */
public record ModelVersion(String pipeline, int version, Instant createdAt, Long runId, Long jobInstanceId, String mode,
		Integer parentVersion, String snapshotId, String configHash, String primaryMetric, Double primaryValue,
		String decision, String decisionSummary, String metrics, String path, String review, String reviewedBy,
		Instant reviewedAt, String reviewReason, boolean forced) {

	/** A version as registered, before anyone reviewed it. */
	public ModelVersion(String pipeline, int version, Instant createdAt, Long runId, Long jobInstanceId, String mode,
			Integer parentVersion, String snapshotId, String configHash, String primaryMetric, Double primaryValue,
			String decision, String decisionSummary, String metrics, String path) {
		this(pipeline, version, createdAt, runId, jobInstanceId, mode, parentVersion, snapshotId, configHash, primaryMetric,
				primaryValue, decision, decisionSummary, metrics, path, null, null, null, null, false);
	}

}

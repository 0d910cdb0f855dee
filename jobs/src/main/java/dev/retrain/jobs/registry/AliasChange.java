package dev.retrain.jobs.registry;

import java.time.Instant;

/** One move of an alias: who moved it, when, why and from which run. */
public record AliasChange(long id, String pipeline, String alias, Integer fromVersion, Integer toVersion,
		Instant changedAt, String changedBy, String reason, Long runId) {
}

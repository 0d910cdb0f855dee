package dev.retrain.jobs.registry;

import java.util.List;
import java.util.Map;

/** Which versions retention keeps and deletes, and why each is kept. */
public record RetentionPlan(String pipeline, Integer keepLast, Integer maxAgeDays, List<Integer> delete,
		Map<Integer, String> kept) {
}

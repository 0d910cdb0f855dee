package dev.retrain.orchestrator.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * A run's data validation report as a table a person reads: row counts, holdouts,
 * classes, one row per column, and what failed. Read from the run's recorded details.
 *
 * @param passed whether the data passed its checks
 * @param windowRows rows in the window
 * @param trainRows rows for training
 * @param holdoutRows rows per holdout
 * @param classCounts rows per class of the label (empty for regression)
 * @param columns one row per column
 * @param failures what failed, each with its file and column where known
 */
public record RunValidation(boolean passed, long windowRows, long trainRows, Map<String, Long> holdoutRows,
		Map<String, Long> classCounts, List<Column> columns, List<String> failures) {

	/**
	 * One column: kind, rows, missing share, non-finite and out-of-range values, and the
	 * share of categories the champion never saw (null where not measured).
	 */
	public record Column(String column, String kind, long rows, double missingRate, long nonFinite, long outOfRange,
			Double unseenCategoryRate) {
	}

	/** The validation of {@code details}, or null before the run validated its data. */
	static RunValidation from(JsonNode details) {
		JsonNode v = (details != null) ? details.path("validation") : null;
		if (v == null || !v.isObject()) {
			return null;
		}
		List<Column> columns = new ArrayList<>();
		for (JsonNode c : v.path("columns")) {
			JsonNode unseen = c.path("unseenCategoryRate");
			columns.add(new Column(c.path("column").asString(), c.path("kind").asString(), c.path("rows").asLong(),
					c.path("missingRate").asDouble(), c.path("nonFinite").asLong(), c.path("outOfRange").asLong(),
					unseen.isNumber() ? unseen.asDouble() : null));
		}
		List<String> failures = new ArrayList<>();
		for (JsonNode f : v.path("failures")) {
			StringBuilder sb = new StringBuilder();
			if (f.hasNonNull("file")) {
				sb.append("file ").append(f.get("file").asString());
			}
			if (f.hasNonNull("column")) {
				sb.append(sb.isEmpty() ? "" : ", ").append("column '").append(f.get("column").asString()).append('\'');
			}
			failures.add(sb.append(sb.isEmpty() ? "" : ": ").append(f.path("reason").asString()).toString());
		}
		return new RunValidation(v.path("passed").asBoolean(), v.path("windowRows").asLong(),
				v.path("trainRows").asLong(), counts(v.path("holdoutRows")), counts(v.path("classCounts")), columns,
				failures);
	}

	private static Map<String, Long> counts(JsonNode node) {
		Map<String, Long> counts = new LinkedHashMap<>();
		node.properties().forEach(e -> counts.put(e.getKey(), e.getValue().asLong()));
		return counts;
	}

}

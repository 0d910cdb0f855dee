package dev.retrain.jobs.retrain;

import java.util.List;
import java.util.Map;

import dev.retrain.models.dataset.DataIssue;

/**
 * What the data checks found: per column statistics, row counts, and the failures (empty
 * when it passed).
 */
public record ValidationReport(boolean passed, int windowRows, int trainRows, Map<String, Integer> holdoutRows,
		Map<String, Long> classCounts, List<ColumnCheck> columns, List<DataIssue> failures) {

	/** One column's statistics over the window (and golden holdouts). */
	public record ColumnCheck(String column, String kind, int rows, double missingRate, long nonFinite, long outOfRange,
			Double unseenCategoryRate) {
	}

}

package dev.retrain.jobs.retrain;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.ValidationRules;
import dev.retrain.models.dataset.DataIssue;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.training.Task;

/**
 * Checks a run's data before anything is trained: missing-value rate, NaN/Inf, configured ranges,
 * all-null columns, unseen categories in the holdouts, the label (present, valid classes), minimum rows
 * overall, per class and per holdout. Each failure names the file and column where it can.
 */
final class DataValidator {

	private final PipelineDefinition def;

	private final ValidationRules rules;

	private final List<DataIssue> failures = new ArrayList<>();

	DataValidator(PipelineDefinition def) {
		this.def = def;
		this.rules = def.validation();
	}

	ValidationReport validate(WindowData data) {
		List<ValidationReport.ColumnCheck> columns = new ArrayList<>();
		List<Table> all = new ArrayList<>();
		all.add(data.window());
		for (var h : this.def.holdouts()) {
			if (h.type() == dev.retrain.jobs.pipeline.HoldoutSpec.Type.GOLDEN) {
				all.add(data.holdouts().get(h.name()));
			}
		}
		for (FeatureSpec f : this.def.features()) {
			columns.add(f.isNumeric() ? numeric(f, all) : categorical(f, data));
		}
		Map<String, Long> classCounts = label(data, all);
		if (data.train().rows() < this.rules.minRows()) {
			this.failures.add(new DataIssue(null, null, "only " + data.train().rows() + " training rows in the window "
					+ "after holding out " + holdoutSizes(data) + "; at least " + this.rules.minRows() + " are required"));
		}
		Map<String, Integer> holdoutRows = new LinkedHashMap<>();
		data.holdouts().forEach((name, t) -> {
			holdoutRows.put(name, t.rows());
			if (t.rows() < Math.max(1, this.rules.minHoldoutRows())) {
				this.failures.add(new DataIssue(null, null, "holdout '" + name + "' has " + t.rows() + " rows; at least "
						+ Math.max(1, this.rules.minHoldoutRows()) + " are required"));
			}
		});
		return new ValidationReport(this.failures.isEmpty(), data.window().rows(), data.train().rows(), holdoutRows,
				classCounts, columns, List.copyOf(this.failures));
	}

	private ValidationReport.ColumnCheck numeric(FeatureSpec f, List<Table> tables) {
		long rows = 0;
		long missing = 0;
		long nonFinite = 0;
		long outOfRange = 0;
		for (Table t : tables) {
			NumericColumn c = t.numeric(f.name());
			for (Table.Segment s : t.segments()) {
				long segMissing = 0;
				long segNonFinite = 0;
				long segOut = 0;
				int firstBad = -1;
				for (int r = s.start(); r < s.end(); r++) {
					double v = c.values()[r];
					if (c.isNull(r)) {
						segMissing++;
					}
					else if (!Double.isFinite(v)) {
						segNonFinite++;
						if (firstBad < 0) {
							firstBad = r - s.start();
						}
					}
					else if ((f.min() != null && v < f.min()) || (f.max() != null && v > f.max())) {
						segOut++;
					}
				}
				int n = s.end() - s.start();
				if (segNonFinite > 0) {
					this.failures.add(new DataIssue(s.file(), f.name(), segNonFinite + " NaN/Inf value(s) (first at row "
							+ firstBad + ")"));
				}
				if (segOut > 0) {
					this.failures.add(new DataIssue(s.file(), f.name(), segOut + " value(s) outside the configured range ["
							+ f.min() + ", " + f.max() + "]"));
				}
				if (n > 0 && segMissing == n) {
					this.failures.add(new DataIssue(s.file(), f.name(), "all " + n + " values are null"));
				}
				rows += n;
				missing += segMissing;
				nonFinite += segNonFinite;
				outOfRange += segOut;
			}
		}
		double rate = (rows > 0) ? (double) missing / rows : 0.0;
		checkMissingRate(f.name(), rate, missing, rows);
		return new ValidationReport.ColumnCheck(f.name(), "numeric", (int) rows, rate, nonFinite, outOfRange, null);
	}

	private ValidationReport.ColumnCheck categorical(FeatureSpec f, WindowData data) {
		Set<String> seenInTraining = new HashSet<>();
		for (String v : data.train().strings(f.name()).values()) {
			if (v != null) {
				seenInTraining.add(v);
			}
		}
		long rows = 0;
		long missing = 0;
		List<Table> all = new ArrayList<>(List.of(data.window()));
		for (var h : this.def.holdouts()) {
			if (h.type() == dev.retrain.jobs.pipeline.HoldoutSpec.Type.GOLDEN) {
				all.add(data.holdouts().get(h.name()));
			}
		}
		for (Table t : all) {
			StringColumn c = t.strings(f.name());
			for (Table.Segment s : t.segments()) {
				long segMissing = 0;
				for (int r = s.start(); r < s.end(); r++) {
					if (c.values()[r] == null) {
						segMissing++;
					}
				}
				int n = s.end() - s.start();
				if (n > 0 && segMissing == n) {
					this.failures.add(new DataIssue(s.file(), f.name(), "all " + n + " values are null"));
				}
				rows += n;
				missing += segMissing;
			}
		}
		long holdoutValues = 0;
		long unseen = 0;
		String worst = null;
		for (Map.Entry<String, Table> h : data.holdouts().entrySet()) {
			for (String v : h.getValue().strings(f.name()).values()) {
				if (v != null) {
					holdoutValues++;
					if (!seenInTraining.contains(v)) {
						unseen++;
						worst = h.getKey();
					}
				}
			}
		}
		double unseenRate = (holdoutValues > 0) ? (double) unseen / holdoutValues : 0.0;
		if (unseenRate > this.rules.maxUnseenCategoryRate()) {
			this.failures.add(new DataIssue(null, f.name(), String.format(Locale.ROOT,
					"%.1f%% of holdout values are categories never seen in training (e.g. in holdout '%s'); at most %.1f%% allowed",
					100 * unseenRate, worst, 100 * this.rules.maxUnseenCategoryRate())));
		}
		double rate = (rows > 0) ? (double) missing / rows : 0.0;
		checkMissingRate(f.name(), rate, missing, rows);
		return new ValidationReport.ColumnCheck(f.name(), "categorical", (int) rows, rate, 0, 0, unseenRate);
	}

	private void checkMissingRate(String column, double rate, long missing, long rows) {
		if (rate > this.rules.maxMissingRate() && missing < rows) {
			this.failures.add(new DataIssue(null, column, String.format(Locale.ROOT,
					"%.1f%% missing values (%d of %d); at most %.1f%% allowed", 100 * rate, missing, rows,
					100 * this.rules.maxMissingRate())));
		}
	}

	private Map<String, Long> label(WindowData data, List<Table> tables) {
		String col = this.def.labelColumn();
		Map<String, Long> counts = new TreeMap<>();
		for (Table t : tables) {
			for (Table.Segment s : t.segments()) {
				long missing = 0;
				long nonFinite = 0;
				for (int r = s.start(); r < s.end(); r++) {
					if (this.def.task() == Task.REGRESSION) {
						NumericColumn c = t.numeric(col);
						if (c.isNull(r)) {
							missing++;
						}
						else if (!Double.isFinite(c.values()[r])) {
							nonFinite++;
						}
					}
					else if (t.strings(col).values()[r] == null) {
						missing++;
					}
				}
				if (missing > 0) {
					this.failures.add(new DataIssue(s.file(), col, missing + " row(s) without a label"));
				}
				if (nonFinite > 0) {
					this.failures.add(new DataIssue(s.file(), col, nonFinite + " NaN/Inf label value(s)"));
				}
			}
		}
		if (this.def.task() == Task.REGRESSION) {
			return counts;
		}
		for (String v : data.train().strings(col).values()) {
			if (v != null) {
				counts.merge(v, 1L, Long::sum);
			}
		}
		Set<String> valid = (this.def.classes() != null) ? new HashSet<>(this.def.classes()) : counts.keySet();
		for (Table t : tables) {
			StringColumn c = t.strings(col);
			for (Table.Segment s : t.segments()) {
				Map<String, Long> unseen = new TreeMap<>();
				for (int r = s.start(); r < s.end(); r++) {
					String v = c.values()[r];
					if (v != null && !valid.contains(v)) {
						unseen.merge(v, 1L, Long::sum);
					}
				}
				if (!unseen.isEmpty()) {
					this.failures.add(new DataIssue(s.file(), col, "unseen label value(s) " + unseen.keySet() + " ("
							+ unseen.values().stream().mapToLong(Long::longValue).sum() + " rows); valid classes are "
							+ new java.util.TreeSet<>(valid)));
				}
			}
		}
		if (this.def.task() == Task.BINARY_CLASSIFICATION && this.def.classes() == null && counts.size() > 2) {
			this.failures.add(new DataIssue(null, col, "a binary label has " + counts.size() + " distinct values in training: "
					+ counts.keySet()));
		}
		List<String> expected = (this.def.classes() != null) ? this.def.classes() : new ArrayList<>(counts.keySet());
		if (expected.size() < 2) {
			this.failures.add(new DataIssue(null, col, "training data has only the class(es) " + counts.keySet()
					+ "; a classifier needs at least two"));
		}
		for (String k : expected) {
			long n = counts.getOrDefault(k, 0L);
			if (n < this.rules.minRowsPerClass()) {
				this.failures.add(new DataIssue(null, col, "class '" + k + "' has " + n + " training rows; at least "
						+ this.rules.minRowsPerClass() + " are required"));
			}
		}
		return counts;
	}

	private static String holdoutSizes(WindowData data) {
		StringBuilder sb = new StringBuilder();
		data.holdouts().forEach((n, t) -> sb.append(sb.isEmpty() ? "" : ", ").append(t.rows()).append(" for '").append(n).append('\''));
		return sb.toString();
	}

}

package dev.retrain.jobs.retrain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.ValidationRules;
import dev.retrain.models.dataset.DataIssue;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.Task;
import dev.retrain.models.profile.NumericProfile;
import dev.retrain.models.profile.ReferenceProfile;

/**
 * Checks a run's data before anything is trained: missing-value rate, NaN/Inf, configured
 * ranges, all-null columns, unseen categories in the holdouts, the label (present, valid
 * classes), minimum rows overall, per class and per holdout. Each failure names the file
 * and column where it can.
 *
 * <p>
 * One streaming pass over the window (slice by slice) and one over each golden holdout:
 * what is held is counters per column and file, the categories seen, and one slice.
 */
final class DataValidator {

	private final PipelineDefinition def;

	private final ValidationRules rules;

	private final Reference reference;

	/**
	 * The champion's training profile, to tell corrupt or mis-scaled values from drift
	 * (see {@link ValidationRules#referenceRangeFactor()}).
	 */
	record Reference(int version, ReferenceProfile profile) {
	}

	DataValidator(PipelineDefinition def) {
		this(def, null);
	}

	/** {@code reference} may be null: the pipeline has no champion yet. */
	DataValidator(PipelineDefinition def, Reference reference) {
		this.def = def;
		this.rules = def.validation();
		this.reference = reference;
	}

	ValidationReport validate(WindowPlan plan) {
		List<Check> checks = new ArrayList<>();
		for (FeatureSpec f : this.def.features()) {
			checks.add(f.isNumeric() ? new NumericCheck(f) : new CategoricalCheck(f));
		}
		LabelCheck label = new LabelCheck();
		checks.add(label);
		List<String> holdouts = plan.holdoutNames();
		plan.scan(WindowPlan.columns(this.def, List.of()), (slice, first) -> {
			String[] partOf = new String[slice.rows()];
			for (int r = 0; r < slice.rows(); r++) {
				byte code = plan.part(first + r);
				partOf[r] = (code == WindowPlan.TRAIN) ? null : holdouts.get(code - 1);
			}
			String file = slice.segments().get(0).file();
			for (Check c : checks) {
				c.add(slice, 0, slice.rows(), file, partOf);
			}
		});
		Map<String, Integer> holdoutRows = new LinkedHashMap<>();
		for (int h = 0; h < holdouts.size(); h++) {
			if (plan.isGolden(h)) {
				String name = holdouts.get(h);
				int[] rows = { 0 };
				plan.golden(name, WindowPlan.columns(this.def, List.of()), slice -> {
					String[] partOf = new String[slice.rows()];
					Arrays.fill(partOf, name);
					String file = slice.segments().get(0).file();
					for (Check c : checks) {
						c.add(slice, 0, slice.rows(), file, partOf);
					}
					rows[0] += slice.rows();
				});
				holdoutRows.put(name, rows[0]);
			}
			else {
				holdoutRows.put(holdouts.get(h), (int) plan.windowHoldoutRows(h));
			}
		}
		List<DataIssue> failures = new ArrayList<>();
		List<ValidationReport.ColumnCheck> columns = new ArrayList<>();
		for (Check c : checks) {
			ValidationReport.ColumnCheck column = c.finish();
			if (column != null) {
				columns.add(column);
			}
			failures.addAll(c.issues);
		}
		long trainRows = plan.trainRows();
		if (trainRows < this.rules.minRows()) {
			StringBuilder sizes = new StringBuilder();
			holdoutRows.forEach((n, rows) -> sizes.append(sizes.isEmpty() ? "" : ", ")
				.append(rows)
				.append(" for '")
				.append(n)
				.append('\''));
			failures
				.add(new DataIssue(null, null, "only " + trainRows + " training rows in the window after holding out "
						+ sizes + "; at least " + this.rules.minRows() + " are required"));
		}
		holdoutRows.forEach((name, rows) -> {
			if (rows < Math.max(1, this.rules.minHoldoutRows())) {
				failures.add(new DataIssue(null, null, "holdout '" + name + "' has " + rows + " rows; at least "
						+ Math.max(1, this.rules.minHoldoutRows()) + " are required"));
			}
		});
		return new ValidationReport(failures.isEmpty(), (int) plan.rows(), (int) trainRows, holdoutRows,
				label.trainCounts, columns, List.copyOf(failures));
	}

	/**
	 * One column's check, fed rows {@code start..end} of one file at a time (consecutive
	 * calls for the same file are one file: a file's problems are reported once, counted
	 * over all its rows). {@code partOf[r]} is the holdout row r belongs to, or null for
	 * a training row.
	 */
	private abstract class Check {

		final List<DataIssue> issues = new ArrayList<>();

		private String file;

		/** Rows of the current file seen so far. */
		long fileRows;

		long rows;

		long missing;

		long fileMissing;

		final void add(Table t, int start, int end, String file, String[] partOf) {
			if (!file.equals(this.file)) {
				flush();
				this.file = file;
			}
			accept(t, start, end, partOf);
			this.fileRows += end - start;
		}

		private void flush() {
			if (this.file != null) {
				fileDone(this.file);
				if (this.fileRows > 0 && this.fileMissing == this.fileRows && reportAllNull()) {
					this.issues.add(new DataIssue(this.file, column(), "all " + this.fileRows + " values are null"));
				}
				this.rows += this.fileRows;
				this.missing += this.fileMissing;
			}
			this.file = null;
			this.fileRows = 0;
			this.fileMissing = 0;
		}

		final ValidationReport.ColumnCheck finish() {
			flush();
			return summary();
		}

		abstract String column();

		abstract void accept(Table t, int start, int end, String[] partOf);

		abstract void fileDone(String file);

		abstract ValidationReport.ColumnCheck summary();

		boolean reportAllNull() {
			return true;
		}

		void checkMissingRate() {
			double rate = missingRate();
			if (rate > DataValidator.this.rules.maxMissingRate() && this.missing < this.rows) {
				this.issues.add(new DataIssue(null, column(),
						String.format(Locale.ROOT, "%.1f%% missing values (%d of %d); at most %.1f%% allowed",
								100 * rate, this.missing, this.rows, 100 * DataValidator.this.rules.maxMissingRate())));
			}
		}

		double missingRate() {
			return (this.rows > 0) ? (double) this.missing / this.rows : 0.0;
		}

	}

	/** A feature column's check. */
	private abstract class FeatureCheck extends Check {

		final FeatureSpec f;

		FeatureCheck(FeatureSpec f) {
			this.f = f;
		}

		@Override
		String column() {
			return this.f.name();
		}

	}

	private final class NumericCheck extends FeatureCheck {

		private long nonFinite;

		private long outOfRange;

		private long fileNonFinite;

		private long fileOut;

		private long firstBad = -1;

		private long fileHuge;

		private long firstHuge = -1;

		/** Values outside [low, high] are far outside the champion's training range. */
		private double low = Double.NEGATIVE_INFINITY;

		private double high = Double.POSITIVE_INFINITY;

		private String referenceRange;

		private long fileAbsurd;

		private long firstAbsurd = -1;

		NumericCheck(FeatureSpec f) {
			super(f);
			double factor = DataValidator.this.rules.referenceRangeFactor();
			Reference ref = DataValidator.this.reference;
			NumericProfile p = (ref != null && ref.profile() != null && ref.profile().numeric() != null)
					? ref.profile().numeric().get(f.name()) : null;
			if (factor > 0 && p != null && Double.isFinite(p.min()) && Double.isFinite(p.max())) {
				double size = Math.max(p.max() - p.min(), Math.max(Math.abs(p.min()), Math.abs(p.max())));
				if (size > 0) {
					this.low = p.min() - factor * size;
					this.high = p.max() + factor * size;
					this.referenceRange = "champion v" + ref.version() + "'s training range [" + p.min() + ", "
							+ p.max() + "]";
				}
			}
		}

		@Override
		void accept(Table t, int start, int end, String[] partOf) {
			NumericColumn c = t.numeric(this.f.name());
			for (int r = start; r < end; r++) {
				double v = c.values()[r];
				if (c.isNull(r)) {
					this.fileMissing++;
				}
				else if (!Double.isFinite(v)) {
					this.fileNonFinite++;
					if (this.firstBad < 0) {
						this.firstBad = this.fileRows + (r - start);
					}
				}
				else if (Math.abs(v) > Float.MAX_VALUE) {
					// finite, but no float network can take it: corrupt or mis-scaled
					// data
					this.fileHuge++;
					if (this.firstHuge < 0) {
						this.firstHuge = this.fileRows + (r - start);
					}
				}
				else if (v < this.low || v > this.high) {
					this.fileAbsurd++;
					if (this.firstAbsurd < 0) {
						this.firstAbsurd = this.fileRows + (r - start);
					}
				}
				else if ((this.f.min() != null && v < this.f.min()) || (this.f.max() != null && v > this.f.max())) {
					this.fileOut++;
				}
			}
		}

		@Override
		void fileDone(String file) {
			if (this.fileNonFinite > 0) {
				this.issues.add(new DataIssue(file, this.f.name(),
						this.fileNonFinite + " NaN/Inf value(s) (first at row " + this.firstBad + ")"));
			}
			if (this.fileHuge > 0) {
				this.issues.add(new DataIssue(file, this.f.name(),
						this.fileHuge + " value(s) beyond +-" + Float.MAX_VALUE
								+ ", which no model can take: corrupt or mis-scaled data (first at row "
								+ this.firstHuge + ")"));
			}
			if (this.fileAbsurd > 0) {
				this.issues.add(new DataIssue(file, this.f.name(),
						this.fileAbsurd + " value(s) more than " + DataValidator.this.rules.referenceRangeFactor()
								+ " times its size outside " + this.referenceRange
								+ ": corrupt or mis-scaled data, not drift (first at row " + this.firstAbsurd
								+ "; validation.reference-range-factor sets the factor, 0 turns this check off)"));
			}
			if (this.fileOut > 0) {
				this.issues.add(new DataIssue(file, this.f.name(), this.fileOut
						+ " value(s) outside the configured range [" + this.f.min() + ", " + this.f.max() + "]"));
			}
			this.nonFinite += this.fileNonFinite + this.fileHuge + this.fileAbsurd;
			this.fileAbsurd = 0;
			this.firstAbsurd = -1;
			this.fileHuge = 0;
			this.firstHuge = -1;
			this.outOfRange += this.fileOut;
			this.fileNonFinite = 0;
			this.fileOut = 0;
			this.firstBad = -1;
		}

		@Override
		ValidationReport.ColumnCheck summary() {
			checkMissingRate();
			return new ValidationReport.ColumnCheck(this.f.name(), "numeric", (int) this.rows, missingRate(),
					this.nonFinite, this.outOfRange, null);
		}

	}

	private final class CategoricalCheck extends FeatureCheck {

		private final Set<String> seenInTraining = new HashSet<>();

		/** Per holdout, its values and how often each occurs. */
		private final Map<String, Map<String, Long>> holdoutValues = new LinkedHashMap<>();

		CategoricalCheck(FeatureSpec f) {
			super(f);
		}

		@Override
		void accept(Table t, int start, int end, String[] partOf) {
			String[] values = t.strings(this.f.name()).values();
			for (int r = start; r < end; r++) {
				String v = values[r];
				if (v == null) {
					this.fileMissing++;
				}
				else if (partOf[r] == null) {
					this.seenInTraining.add(v);
				}
				else {
					this.holdoutValues.computeIfAbsent(partOf[r], k -> new HashMap<>()).merge(v, 1L, Long::sum);
				}
			}
		}

		@Override
		void fileDone(String file) {
		}

		@Override
		ValidationReport.ColumnCheck summary() {
			long values = 0;
			long unseen = 0;
			String worst = null;
			for (String holdout : DataValidator.this.def.holdouts().stream().map(h -> h.name()).toList()) {
				for (Map.Entry<String, Long> e : this.holdoutValues.getOrDefault(holdout, Map.of()).entrySet()) {
					values += e.getValue();
					if (!this.seenInTraining.contains(e.getKey())) {
						unseen += e.getValue();
						worst = holdout;
					}
				}
			}
			double unseenRate = (values > 0) ? (double) unseen / values : 0.0;
			if (unseenRate > DataValidator.this.rules.maxUnseenCategoryRate()) {
				this.issues.add(new DataIssue(null, this.f.name(), String.format(Locale.ROOT,
						"%.1f%% of holdout values are categories never seen in training (e.g. in holdout '%s'); at most %.1f%% allowed",
						100 * unseenRate, worst, 100 * DataValidator.this.rules.maxUnseenCategoryRate())));
			}
			checkMissingRate();
			return new ValidationReport.ColumnCheck(this.f.name(), "categorical", (int) this.rows, missingRate(), 0, 0,
					unseenRate);
		}

	}

	/**
	 * The label: present and finite in every row, a valid class, and enough training rows
	 * per class.
	 */
	private final class LabelCheck extends Check {

		final Map<String, Long> trainCounts = new TreeMap<>();

		/**
		 * Per file, its label values and how often each occurs (classification; few
		 * distinct values).
		 */
		private final Map<String, Map<String, Long>> fileValues = new LinkedHashMap<>();

		private Map<String, Long> current = new TreeMap<>();

		private long fileNonFinite;

		private final boolean regression = DataValidator.this.def.task() == Task.REGRESSION;

		@Override
		String column() {
			return DataValidator.this.def.labelColumn();
		}

		@Override
		boolean reportAllNull() {
			return false;
		}

		@Override
		void accept(Table t, int start, int end, String[] partOf) {
			if (this.regression) {
				NumericColumn c = t.numeric(column());
				for (int r = start; r < end; r++) {
					if (c.isNull(r)) {
						this.fileMissing++;
					}
					else if (!Double.isFinite(c.values()[r])) {
						this.fileNonFinite++;
					}
				}
				return;
			}
			String[] values = t.strings(column()).values();
			for (int r = start; r < end; r++) {
				String v = values[r];
				if (v == null) {
					this.fileMissing++;
				}
				else {
					this.current.merge(v, 1L, Long::sum);
					if (partOf[r] == null) {
						this.trainCounts.merge(v, 1L, Long::sum);
					}
				}
			}
		}

		@Override
		void fileDone(String file) {
			if (this.fileMissing > 0) {
				this.issues.add(new DataIssue(file, column(), this.fileMissing + " row(s) without a label"));
			}
			if (this.fileNonFinite > 0) {
				this.issues.add(new DataIssue(file, column(), this.fileNonFinite + " NaN/Inf label value(s)"));
			}
			if (!this.current.isEmpty()) {
				this.fileValues.merge(file, this.current, (a, b) -> {
					b.forEach((k, n) -> a.merge(k, n, Long::sum));
					return a;
				});
				this.current = new TreeMap<>();
			}
			this.fileNonFinite = 0;
		}

		@Override
		ValidationReport.ColumnCheck summary() {
			if (this.regression) {
				return null;
			}
			PipelineDefinition def = DataValidator.this.def;
			Set<String> valid = (def.classes() != null) ? new HashSet<>(def.classes()) : this.trainCounts.keySet();
			this.fileValues.forEach((file, counts) -> {
				Map<String, Long> unseen = new TreeMap<>();
				counts.forEach((v, n) -> {
					if (!valid.contains(v)) {
						unseen.put(v, n);
					}
				});
				if (!unseen.isEmpty()) {
					this.issues.add(new DataIssue(file, column(),
							"unseen label value(s) " + unseen.keySet() + " ("
									+ unseen.values().stream().mapToLong(Long::longValue).sum()
									+ " rows); valid classes are " + new TreeSet<>(valid)));
				}
			});
			if (def.task() == Task.BINARY_CLASSIFICATION && def.classes() == null && this.trainCounts.size() > 2) {
				this.issues.add(new DataIssue(null, column(), "a binary label has " + this.trainCounts.size()
						+ " distinct values in training: " + this.trainCounts.keySet()));
			}
			List<String> expected = (def.classes() != null) ? def.classes()
					: new ArrayList<>(this.trainCounts.keySet());
			if (expected.size() < 2) {
				this.issues.add(new DataIssue(null, column(), "training data has only the class(es) "
						+ this.trainCounts.keySet() + "; a classifier needs at least two"));
			}
			for (String k : expected) {
				long n = this.trainCounts.getOrDefault(k, 0L);
				if (n < DataValidator.this.rules.minRowsPerClass()) {
					this.issues
						.add(new DataIssue(null, column(), "class '" + k + "' has " + n + " training rows; at least "
								+ DataValidator.this.rules.minRowsPerClass() + " are required"));
				}
			}
			return null;
		}

	}

}

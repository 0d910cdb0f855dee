package dev.retrain.models.features;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.retrain.models.dataset.DataIssue;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.Table;

/**
 * The label column and, for classification, its classes in index order (for binary, index
 * 1 is the positive class).
 */
public record LabelEncoding(String column, Task task, List<String> classes) {

	/** Classes as configured, or as found in the training data (sorted). */
	public static LabelEncoding fit(Table table, String column, Task task, List<String> configured) {
		if (task == Task.REGRESSION) {
			return new LabelEncoding(column, task, null);
		}
		return of(column, task, configured, nonNull(table.strings(column).values()));
	}

	/** Classes as configured, or the distinct values seen in training (sorted). */
	public static LabelEncoding of(String column, Task task, List<String> configured, Collection<String> seen) {
		if (task == Task.REGRESSION) {
			return new LabelEncoding(column, task, null);
		}
		List<String> classes = (configured != null && !configured.isEmpty()) ? List.copyOf(configured)
				: new ArrayList<>(new TreeSet<>(seen));
		return new LabelEncoding(column, task, classes);
	}

	private static List<String> nonNull(String[] values) {
		List<String> list = new ArrayList<>();
		for (String v : values) {
			if (v != null) {
				list.add(v);
			}
		}
		return list;
	}

	public int outputs() {
		return (this.task == Task.MULTICLASS_CLASSIFICATION) ? this.classes.size() : 1;
	}

	/**
	 * Class indices (classification) or values (regression); a missing or unknown label
	 * fails naming file and row.
	 */
	public double[] encode(Table table) {
		double[] out = new double[table.rows()];
		List<DataIssue> issues = new ArrayList<>();
		if (this.task == Task.REGRESSION) {
			NumericColumn c = table.numeric(this.column);
			for (int r = 0; r < out.length && issues.size() < 5; r++) {
				if (c.isNull(r) || !Double.isFinite(c.values()[r])) {
					issues.add(new DataIssue(table.fileOf(r), this.column,
							"row " + r + ": label is missing or not finite"));
				}
				out[r] = c.values()[r];
			}
		}
		else {
			Map<String, Integer> index = new HashMap<>();
			for (int i = 0; i < this.classes.size(); i++) {
				index.put(this.classes.get(i), i);
			}
			String[] v = table.strings(this.column).values();
			for (int r = 0; r < out.length && issues.size() < 5; r++) {
				Integer i = (v[r] != null) ? index.get(v[r]) : null;
				if (i == null) {
					issues.add(new DataIssue(table.fileOf(r), this.column, (v[r] == null)
							? "row " + r + ": label is missing"
							: "row " + r + ": unseen label value '" + v[r] + "' (known classes " + this.classes + ")"));
				}
				else {
					out[r] = i;
				}
			}
		}
		if (!issues.isEmpty()) {
			throw new DataValidationFailed(issues);
		}
		return out;
	}

}

package dev.retrain.models.dataset;

import java.util.List;
import java.util.stream.Collectors;

/** Input data cannot be used: every problem found names the file and column. */
public class DataValidationFailed extends RuntimeException {

	private final List<DataIssue> issues;

	public DataValidationFailed(List<DataIssue> issues) {
		super(issues.stream().map(DataIssue::toString).collect(Collectors.joining("; ")));
		this.issues = List.copyOf(issues);
	}

	public DataValidationFailed(String file, String column, String reason) {
		this(List.of(new DataIssue(file, column, reason)));
	}

	public DataValidationFailed(String file, String column, String reason, Throwable cause) {
		this(List.of(new DataIssue(file, column, reason)));
		initCause(cause);
	}

	public List<DataIssue> issues() {
		return this.issues;
	}

}

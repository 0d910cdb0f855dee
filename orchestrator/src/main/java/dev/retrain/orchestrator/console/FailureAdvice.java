package dev.retrain.orchestrator.console;

import java.time.LocalDate;
import java.util.Locale;

/**
 * What a person can do about a failed or stopped run: whether a restart can help (it
 * repeats the run with the same pipeline, as-of date and data window, from the step that
 * failed), and what to change when it cannot.
 *
 * @param restartHelps whether restarting the run can succeed as it is
 * @param advice what to do, in words
 */
public record FailureAdvice(boolean restartHelps, String advice) {

	/** The advice for a run that ended {@code status} with {@code reason}, or null. */
	static FailureAdvice of(String status, String reason, LocalDate asOf) {
		if ("STOPPED".equals(status)) {
			return new FailureAdvice(true,
					"The run was stopped. Restart resumes it from the step it stopped in (training from its checkpoint).");
		}
		if (!"FAILED".equals(status) && !"ABANDONED".equals(status)) {
			return null;
		}
		String r = (reason != null) ? reason.toLowerCase(Locale.ROOT) : "";
		if (r.contains("no parquet files") || r.contains("holds no parquet files")
				|| r.contains("data directory does not exist")) {
			return new FailureAdvice(false, "There is no data for this run's window (ending " + asOf
					+ "). A restart reads the same window and fails again: add partitions (dt=YYYY-MM-DD directories "
					+ "of Parquet files) under the pipeline's data path, or launch a new run with an as-of date that "
					+ "has data.");
		}
		if (r.contains("window holds") || r.contains("do not fit the in-memory bound")) {
			return new FailureAdvice(false,
					"The window holds more rows than one run may take. A restart fails again: shorten "
							+ "data.window-days in the pipeline's file (or raise retrain.training-memory), reload the "
							+ "pipelines, and launch a new run.");
		}
		if (r.contains("partition name") || r.contains("cannot read footer") || r.contains("corrupt")
				|| r.contains("footer says") || r.contains("the file changed under the run")) {
			return new FailureAdvice(false,
					"A data file is malformed or changed under the run. A restart reads the same files: fix or "
							+ "replace them, then launch a new run.");
		}
		if (r.contains("column") || r.contains("missing") || r.contains("validation")
				|| r.contains("category the model version never saw") || r.contains("search.selection-days")) {
			return new FailureAdvice(false,
					"The data failed its checks (see the validation report below). A restart checks the same data "
							+ "and fails again: fix the data, or the pipeline's features and validation settings, "
							+ "then launch a new run.");
		}
		if (r.contains("pipeline") && (r.contains("not found") || r.contains("invalid"))) {
			return new FailureAdvice(false, "The pipeline's definition is missing or invalid: fix its file, reload the "
					+ "pipelines, and launch a new run.");
		}
		return new FailureAdvice(true, "If the cause was passing (the node stopped, a disk or the store was "
				+ "unavailable, memory ran out), Restart resumes the run from the step that failed (training from "
				+ "its checkpoint). If it is in the data or the configuration, fix that and launch a new run.");
	}

}

package dev.retrain.jobs.retrain;

import java.util.HashMap;
import java.util.Map;

import org.slf4j.MDC;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/**
 * Puts the run id, pipeline and step into the logging context (MDC) of the thread that
 * runs a step, on the node or on a worker, so every line logged within a run carries them
 * (as fields of a structured log line, see {@code logging.structured.format.console}).
 * What was there before is put back when the step ends.
 */
final class RunMdc implements StepExecutionListener {

	static final String RUN_ID = "runId";

	static final String PIPELINE = "pipeline";

	static final String STEP = "step";

	private static final ThreadLocal<Map<String, String>> BEFORE = new ThreadLocal<>();

	@Override
	public void beforeStep(StepExecution step) {
		Map<String, String> before = new HashMap<>();
		for (String key : new String[] { RUN_ID, PIPELINE, STEP }) {
			before.put(key, MDC.get(key));
		}
		BEFORE.set(before);
		put(step.getJobExecution().getId(), step.getJobExecution().getJobParameters().getString(RunContext.PIPELINE));
		MDC.put(STEP, step.getStepName());
	}

	@Override
	public ExitStatus afterStep(StepExecution step) {
		Map<String, String> before = BEFORE.get();
		BEFORE.remove();
		if (before != null) {
			before.forEach((key, value) -> {
				if (value != null) {
					MDC.put(key, value);
				}
				else {
					MDC.remove(key);
				}
			});
		}
		return null;
	}

	/** The run's part of the context, for the job's own lines (start and end). */
	static void put(long runId, String pipeline) {
		MDC.put(RUN_ID, Long.toString(runId));
		if (pipeline != null) {
			MDC.put(PIPELINE, pipeline);
		}
	}

	static void clear() {
		MDC.remove(RUN_ID);
		MDC.remove(PIPELINE);
		MDC.remove(STEP);
	}

}

package dev.retrain.jobs.retrain;

import java.time.LocalDate;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.scope.context.ChunkContext;

/** The identity of the run a step belongs to, read from its job execution. */
record RunContext(long runId, long jobInstanceId, String pipeline, LocalDate asOf, String requestedMode) {

	static final String PIPELINE = "pipeline";

	static final String AS_OF = "asOf";

	static final String RUN_KEY = "runKey";

	static final String TRIGGER = "trigger";

	static final String CAUSE = "cause";

	static final String MODE = "mode";

	static RunContext of(ChunkContext chunk) {
		return of(chunk.getStepContext().getStepExecution().getJobExecution());
	}

	static RunContext of(JobExecution execution) {
		JobParameters p = execution.getJobParameters();
		return new RunContext(execution.getId(), execution.getJobInstanceId(), p.getString(PIPELINE),
				p.getLocalDate(AS_OF), p.getString(MODE));
	}

}

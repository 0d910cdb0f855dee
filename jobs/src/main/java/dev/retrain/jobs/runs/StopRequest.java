package dev.retrain.jobs.runs;

import java.time.Duration;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.OptimisticLockingFailureException;

/**
 * Asks a running job execution (a run, a backtest) to stop: it is marked STOPPING in the
 * job repository, which the running step sees at its next check, on whichever node runs
 * it. Not {@code JobOperator.stop}: in Spring Batch 6 that also writes the running step's
 * execution from the caller's thread, which races with the step's own final write and can
 * leave the execution UNKNOWN (spring-batch#5484; seen here).
 */
public final class StopRequest {

	/**
	 * A stop request races the job's own writes of its execution; four more tries, at
	 * once, are plenty.
	 */
	private static final RetryTemplate RETRY = new RetryTemplate(RetryPolicy.builder()
		.maxRetries(4)
		.delay(Duration.ZERO)
		.includes(OptimisticLockingFailureException.class)
		.build());

	private StopRequest() {
	}

	/** Marks the execution STOPPING; returns false when it is not running. */
	public static boolean send(JobRepository repository, long executionId) {
		try {
			return Boolean.TRUE.equals(RETRY.execute(() -> {
				JobExecution execution = repository.getJobExecution(executionId);
				if (execution == null || !execution.isRunning()) {
					return false;
				}
				if (execution.getStatus() != BatchStatus.STOPPING) {
					execution.setStatus(BatchStatus.STOPPING);
					// fails when the job wrote its execution meanwhile (a step started or
					// ended): read it again
					repository.update(execution);
				}
				return true;
			}));
		}
		catch (RetryException ex) {
			throw (ex.getLastException() instanceof RuntimeException r) ? r
					: new IllegalStateException(ex.getLastException());
		}
	}

}

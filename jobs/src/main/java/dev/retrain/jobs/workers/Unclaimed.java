package dev.retrain.jobs.workers;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.runs.RunRecords;

/**
 * A step sent to a queue that no worker takes: while it waits, the run's progress says so
 * (after the first few seconds), and after {@code retrain.workers.unclaimed-timeout} the
 * step is failed, naming the queue, instead of waiting for the step timeout (12 h). The
 * step is failed by a conditional update on its status, so a worker that takes it at that
 * moment wins and the wait goes on; a worker that receives it later ignores it (it has
 * ended).
 */
final class Unclaimed {

	private static final Logger log = LoggerFactory.getLogger(Unclaimed.class);

	/** How long a step may wait before the run's progress says it waits for a worker. */
	private static final Duration NOTICE = Duration.ofSeconds(5);

	private final JdbcTemplate jdbc;

	private final WorkerQueues queues;

	private final RunRecords runs;

	private final Duration timeout;

	Unclaimed(JdbcTemplate jdbc, WorkerQueues queues, RunRecords runs, Duration timeout) {
		this.jdbc = jdbc;
		this.queues = queues;
		this.runs = runs;
		this.timeout = timeout;
	}

	/**
	 * Returns once a worker has taken the step (or it ended); fails the step and throws
	 * when none has within the timeout.
	 */
	void awaitClaim(StepExecutionRequest request, long runId, long pollMillis) throws InterruptedException {
		long start = System.nanoTime();
		boolean noticed = false;
		while (true) {
			String status = this.jdbc.queryForObject(
					"SELECT status FROM batch_step_execution WHERE step_execution_id = ?", String.class,
					request.getStepExecutionId());
			if (status == null || BatchStatus.valueOf(status) != BatchStatus.STARTING) {
				if (noticed) {
					this.runs.progress(runId, "a worker took step " + request.getStepName());
				}
				return;
			}
			Duration waited = Duration.ofNanos(System.nanoTime() - start);
			if (!noticed && waited.compareTo(NOTICE) >= 0) {
				noticed = true;
				this.runs.progress(runId, "waiting for a worker on queue " + this.queues.queueFor(request)
						+ " to take step " + request.getStepName());
			}
			if (waited.compareTo(this.timeout) >= 0) {
				String reason = String.format(Locale.ROOT,
						"no worker took step %s from queue %s within %s (retrain.workers.unclaimed-timeout): is a "
								+ "worker consuming that queue (retrain.workers.consume)?",
						request.getStepName(), this.queues.queueFor(request), this.timeout);
				int failed = this.jdbc.update(
						"UPDATE batch_step_execution SET status = 'FAILED', exit_code = 'FAILED', exit_message = ? "
								+ "WHERE step_execution_id = ? AND status = 'STARTING'",
						reason, request.getStepExecutionId());
				if (failed == 1) {
					log.warn("run {}: {}", runId, reason);
					throw new WorkerNotFound(reason);
				}
				continue;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(10, pollMillis)));
			if (Thread.interrupted()) {
				throw new InterruptedException("interrupted while waiting for a worker");
			}
		}
	}

	/** No worker took a step in time. */
	static final class WorkerNotFound extends RuntimeException {

		WorkerNotFound(String message) {
			super(message);
		}

	}

}

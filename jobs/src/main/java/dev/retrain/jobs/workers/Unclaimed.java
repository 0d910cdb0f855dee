package dev.retrain.jobs.workers;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.runs.RunRecords;

/**
 * Steps sent to a queue that no worker takes. While they wait, the run's progress says so
 * (after the first few seconds), naming the queue and whether anybody consumes it. When
 * nobody has consumed the queue for {@code retrain.workers.unclaimed-timeout}, the
 * waiting steps are failed, naming the queue, instead of waiting for the step timeout (12
 * h). Busy workers are not "no worker": while the queue has consumers, the steps wait for
 * a free slot (the step timeout still bounds them). A step is failed by a conditional
 * update on its status, so a worker that takes it at that moment wins and the wait goes
 * on; a worker that receives it later ignores it (it has ended).
 */
final class Unclaimed {

	private static final Logger log = LoggerFactory.getLogger(Unclaimed.class);

	/** How long a step may wait before the run's progress says it waits for a worker. */
	private static final Duration NOTICE = Duration.ofSeconds(5);

	/** How often the queue's consumers are counted (a call to the broker). */
	private static final Duration CONSUMERS_EVERY = Duration.ofSeconds(1);

	private final JdbcTemplate jdbc;

	private final WorkerQueues queues;

	private final RunRecords runs;

	private final Duration timeout;

	private final StepEndSignals signals;

	Unclaimed(JdbcTemplate jdbc, WorkerQueues queues, RunRecords runs, Duration timeout, StepEndSignals signals) {
		this.jdbc = jdbc;
		this.queues = queues;
		this.runs = runs;
		this.timeout = timeout;
		this.signals = signals;
	}

	/**
	 * Returns once a worker has taken the step (or it ended); fails the step and throws
	 * when nobody consumed its queue within the timeout.
	 */
	void awaitClaim(StepExecutionRequest request, long runId, long pollMillis) throws InterruptedException {
		awaitAnyClaim(List.of(request), runId, pollMillis);
	}

	/**
	 * Returns once a worker has taken one of {@code requests} (all on one queue: a
	 * search's candidates), or one has ended; when nobody consumed the queue within the
	 * timeout, fails those still waiting and throws.
	 */
	void awaitAnyClaim(List<StepExecutionRequest> requests, long runId, long pollMillis) throws InterruptedException {
		if (requests.isEmpty()) {
			return;
		}
		StepExecutionRequest first = requests.get(0);
		String queue = this.queues.queueFor(first);
		String what = (requests.size() == 1) ? "step " + first.getStepName()
				: requests.size() + " steps " + first.getStepName();
		long start = System.nanoTime();
		long unconsumedSince = start;
		long consumersAt = start - CONSUMERS_EVERY.toNanos();
		int consumers = 0;
		String said = null;
		while (true) {
			// a step shorter than the poll interval ends before the next look: its
			// worker's reply wakes this wait too
			CompletableFuture<Void> reply = this.signals.expect(first.getStepExecutionId());
			if (requests.stream().anyMatch(this::leftWaiting)) {
				if (said != null) {
					this.runs.progress(runId, "a worker took " + what);
				}
				return;
			}
			long now = System.nanoTime();
			if (now - consumersAt >= CONSUMERS_EVERY.toNanos()) {
				consumers = this.queues.consumers(queue);
				consumersAt = now;
			}
			if (consumers > 0) {
				unconsumedSince = now;
			}
			if (Duration.ofNanos(now - start).compareTo(NOTICE) >= 0) {
				String say = "waiting for a worker on queue " + queue + " to take " + what
						+ ((consumers > 0) ? " (" + consumers + " consuming it, all busy)" : "");
				if (!say.equals(said)) {
					this.runs.progress(runId, say);
					said = say;
				}
			}
			if (Duration.ofNanos(now - unconsumedSince).compareTo(this.timeout) >= 0) {
				String reason = String
					.format(Locale.ROOT,
							"no worker took %s from queue %s within %s (retrain.workers.unclaimed-timeout): is a "
									+ "worker consuming that queue (retrain.workers.consume)?",
							what, queue, this.timeout);
				int failed = 0;
				for (StepExecutionRequest r : requests) {
					failed += this.jdbc.update(
							"UPDATE batch_step_execution SET status = 'FAILED', exit_code = 'FAILED', exit_message = ? "
									+ "WHERE step_execution_id = ? AND status = 'STARTING'",
							reason, r.getStepExecutionId());
				}
				if (failed == requests.size()) {
					this.signals.forget(first.getStepExecutionId());
					log.warn("run {}: {}", runId, reason);
					throw new WorkerNotFound(reason);
				}
				// a worker took one at that moment: the rest wait for it
				continue;
			}
			this.signals.await(reply, Math.max(10, pollMillis));
		}
	}

	/** Whether a worker took the step, or it ended. */
	private boolean leftWaiting(StepExecutionRequest request) {
		String status = this.jdbc.queryForObject("SELECT status FROM batch_step_execution WHERE step_execution_id = ?",
				String.class, request.getStepExecutionId());
		return status == null || BatchStatus.valueOf(status) != BatchStatus.STARTING;
	}

	/** No worker took a step in time. */
	static final class WorkerNotFound extends RuntimeException {

		WorkerNotFound(String message) {
			super(message);
		}

	}

}

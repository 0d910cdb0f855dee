package dev.retrain.jobs.workers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.batch.integration.remote.RemoteStep;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.core.MessagingTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.runs.RunRecords;

/**
 * Makes Spring Batch {@link RemoteStep}s that run a step on a worker: the step execution
 * is created here, the worker updates it in the shared job repository, and this node
 * polls for its end (giving up after {@code retrain.workers.timeout}).
 */
public class WorkerRequests {

	private final MessagingTemplate template;

	private final RetrainProperties.Workers settings;

	private final JdbcTemplate jdbc;

	private final WorkerQueues queues;

	private final RunRecords runs;

	private final StepEndSignals signals;

	WorkerRequests(DirectChannel channel, RetrainProperties.Workers settings, JdbcTemplate jdbc, WorkerQueues queues,
			RunRecords runs, StepEndSignals signals) {
		this.template = new MessagingTemplate();
		this.template.setDefaultChannel(channel);
		this.settings = settings;
		this.jdbc = jdbc;
		this.queues = queues;
		this.runs = runs;
		this.signals = signals;
	}

	/**
	 * A step named {@code name} in the job that runs step {@code workerStep} on a worker.
	 */
	public Step remote(String name, String workerStep, JobRepository repository) {
		OnWorker step = new OnWorker(name, workerStep, repository, this.template, this.jdbc,
				new Unclaimed(this.jdbc, this.queues, this.runs, this.settings.unclaimedTimeout(), this.signals),
				this.signals);
		step.setTimeout(this.settings.timeout().toMillis());
		step.setPollInterval(this.settings.pollInterval().toMillis());
		return step;
	}

	/**
	 * Runs step executions already created in the job repository (a partitioned step's
	 * partitions) on workers: one request each for step {@code workerStep}, sent at once,
	 * so as many run side by side as workers have free slots; returns them as they ended.
	 */
	public List<StepExecution> runAll(String workerStep, List<StepExecution> partitions, JobRepository repository)
			throws Exception {
		List<StepExecutionRequest> requests = new ArrayList<>();
		for (StepExecution partition : partitions) {
			StepExecutionRequest request = new StepExecutionRequest(workerStep, partition.getId());
			this.template.convertAndSend(request);
			requests.add(request);
		}
		if (!partitions.isEmpty()) {
			// nobody on the queue: fail the partitions, naming it, instead of waiting for
			// the step timeout
			new Unclaimed(this.jdbc, this.queues, this.runs, this.settings.unclaimedTimeout(), this.signals)
				.awaitAnyClaim(requests, partitions.get(0).getJobExecutionId(),
						this.settings.pollInterval().toMillis());
		}
		long deadline = System.currentTimeMillis() + this.settings.timeout().toMillis();
		List<StepExecution> ended = new ArrayList<>();
		for (StepExecution partition : partitions) {
			long left = Math.max(1, deadline - System.currentTimeMillis());
			ended.add(awaitEnd(this.jdbc, repository, partition.getId(), this.settings.pollInterval().toMillis(), left,
					this.signals));
		}
		return ended;
	}

	/**
	 * Reads a step execution's status column alone until it has ended, then loads it
	 * whole: at once when the worker's reply arrives ({@link StepEndSignals}), else every
	 * {@code pollInterval}. Throws {@link TimeoutException} after {@code timeout}
	 * (negative: none).
	 */
	static StepExecution awaitEnd(JdbcTemplate jdbc, JobRepository repository, long id, long pollInterval, long timeout,
			StepEndSignals signals) throws Exception {
		long deadline = (timeout >= 0) ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : Long.MAX_VALUE;
		try {
			while (true) {
				CompletableFuture<Void> reply = signals.expect(id);
				String status = jdbc.queryForObject(
						"SELECT status FROM batch_step_execution WHERE step_execution_id = ?", String.class, id);
				if (status == null || !BatchStatus.valueOf(status).isRunning()) {
					return repository.getStepExecution(id);
				}
				long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
				if (left <= 0) {
					throw new TimeoutException("Timed out waiting for step execution " + id + " to end");
				}
				signals.await(reply, Math.min(Math.max(1, pollInterval), left));
			}
		}
		finally {
			signals.forget(id);
		}
	}

	/**
	 * Spring Batch's {@link RemoteStep} (the same request, step execution and outcome),
	 * polling the worker's step by its status column alone, one indexed query, and
	 * loading the whole step execution once it has ended. RemoteStep's own poll loads the
	 * step execution with its job execution and contexts: with 40 steps waiting at a 100
	 * ms interval that took half a core on the node and as much again in PostgreSQL
	 * ({@code ScaleOutBenchmark}).
	 */
	static final class OnWorker extends RemoteStep {

		private final String remoteStepName;

		private final MessagingTemplate template;

		private final JdbcTemplate jdbc;

		private long pollInterval;

		private long timeout = -1;

		private final Unclaimed unclaimed;

		private final StepEndSignals signals;

		OnWorker(String name, String remoteStepName, JobRepository repository, MessagingTemplate template,
				JdbcTemplate jdbc, Unclaimed unclaimed, StepEndSignals signals) {
			super(name, remoteStepName, repository, template);
			this.remoteStepName = remoteStepName;
			this.template = template;
			this.jdbc = jdbc;
			this.unclaimed = unclaimed;
			this.signals = signals;
		}

		@Override
		public void setPollInterval(long pollInterval) {
			super.setPollInterval(pollInterval);
			this.pollInterval = pollInterval;
		}

		@Override
		public void setTimeout(long timeout) {
			super.setTimeout(timeout);
			this.timeout = timeout;
		}

		@Override
		protected void doExecute(StepExecution stepExecution) throws Exception {
			JobExecution jobExecution = stepExecution.getJobExecution();
			StepExecution worker = getJobRepository().createStepExecution(this.remoteStepName, jobExecution);
			worker.setExecutionContext(stepExecution.getExecutionContext());
			getJobRepository().update(worker);
			getJobRepository().updateExecutionContext(worker);
			StepExecutionRequest request = new StepExecutionRequest(this.remoteStepName, worker.getId());
			this.template.convertAndSend(request);
			this.unclaimed.awaitClaim(request, jobExecution.getId(), this.pollInterval);
			StepExecution ended = awaitEnd(worker.getId());
			stepExecution.setExecutionContext(ended.getExecutionContext());
			stepExecution.upgradeStatus(ended.getStatus());
			stepExecution.setExitStatus(ended.getExitStatus());
		}

		private StepExecution awaitEnd(long id) throws Exception {
			return WorkerRequests.awaitEnd(this.jdbc, getJobRepository(), id, this.pollInterval, this.timeout,
					this.signals);
		}

	}

}

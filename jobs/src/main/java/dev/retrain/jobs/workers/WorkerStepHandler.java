package dev.retrain.jobs.workers;

import java.time.LocalDateTime;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.context.ApplicationContext;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.runs.StepClaims;

/**
 * Runs one requested step on this worker: the step bean named in the request, on the step
 * execution the requesting node created. A request for a step that has already ended
 * (delivered again after its worker finished) is acknowledged and ignored; one for a step
 * still marked running was left by a worker that died, and runs here, resuming from the
 * step's checkpoint. (Spring Batch's {@code StepExecutionRequestHandler} does the same
 * minus those two checks.)
 */
public class WorkerStepHandler {

	private static final Logger log = LoggerFactory.getLogger(WorkerStepHandler.class);

	private final JobRepository repository;

	private final ApplicationContext context;

	private final String node;

	private final PipelineCatalog catalog;

	private final StepClaims claims;

	private final int maxSteps;

	private final Runnable exit;

	private final AtomicInteger handled = new AtomicInteger();

	WorkerStepHandler(JobRepository repository, ApplicationContext context, String node, PipelineCatalog catalog,
			StepClaims claims, int maxSteps, Runnable exit) {
		this.repository = repository;
		this.context = context;
		this.node = node;
		this.catalog = catalog;
		this.claims = claims;
		this.maxSteps = maxSteps;
		this.exit = exit;
	}

	void handle(StepExecutionRequest request) {
		if (this.maxSteps > 0 && this.handled.get() >= this.maxSteps) {
			// delivered while this worker leaves: back to the queue for another
			throw new ImmediateRequeueAmqpException("worker " + this.node + " is leaving (retrain.workers.max-steps)");
		}
		try {
			run(request);
		}
		finally {
			if (this.maxSteps > 0 && this.handled.incrementAndGet() == this.maxSteps) {
				log.info("worker {} has taken {} step request(s) (retrain.workers.max-steps): it stops taking more "
						+ "and exits", this.node, this.maxSteps);
				// on a thread of its own: the listener's thread returns first and
				// acknowledges the request
				Thread leave = new Thread(this.exit, "worker-exit");
				leave.start();
			}
		}
	}

	private void run(StepExecutionRequest request) {
		StepExecution execution = this.repository.getStepExecution(request.getStepExecutionId());
		if (execution == null) {
			log.warn("step request {} names no step execution: ignored", request);
			return;
		}
		BatchStatus status = execution.getStatus();
		if (!status.isRunning()) {
			log.info("step {} of run {} has already ended ({}): request ignored", request.getStepName(),
					execution.getJobExecutionId(), status);
			return;
		}
		JobExecution job = this.repository.getJobExecution(execution.getJobExecutionId());
		// the run's context holds its pinned pipeline file: the step reads that, not this
		// worker's copy
		execution.getJobExecution().setExecutionContext(job.getExecutionContext());
		BatchStatus run = job.getStatus();
		if (!run.isRunning()) {
			// a request delivered again after its run ended (failed, and perhaps resumed
			// as
			// another execution): running it would train beside the resumed run
			log.warn("step {} of run {} belongs to a run that has ended ({}): request ignored", request.getStepName(),
					execution.getJobExecutionId(), run);
			execution.setStatus(BatchStatus.ABANDONED);
			execution.setEndTime(LocalDateTime.now());
			this.repository.update(execution);
			return;
		}
		if (status == BatchStatus.STARTED) {
			log.warn(
					"step {} of run {} was started by another worker (stopped, or its request delivered again); resuming it on worker {}",
					request.getStepName(), execution.getJobExecutionId(), this.node);
		}
		// a run whose file is pinned brings its text; one started before pinning reads
		// the files as they are now
		if (!job.getExecutionContext().containsKey(PipelineCatalog.PINNED_TEXT)) {
			this.catalog.reload();
		}
		Step step = this.context.getBean(request.getStepName(), Step.class);
		// a fencing token: a worker that held this step before (its request delivered
		// again) stops before its next write
		long token = this.claims.claim(execution, this.node);
		log.info("worker {} runs step {} of run {} (claim {})", this.node, request.getStepName(),
				execution.getJobExecutionId(), token);
		try {
			step.execute(execution);
		}
		catch (JobInterruptedException ex) {
			execution.setStatus(BatchStatus.STOPPED);
			updateIfHeld(execution);
		}
		catch (Throwable ex) {
			execution.addFailureException(ex);
			execution.setStatus(BatchStatus.FAILED);
			execution.setExitStatus(ExitStatus.FAILED.addExitDescription(ex));
			updateIfHeld(execution);
		}
		this.claims.takenOver(execution).ifPresent(why -> log.warn("fenced: {}", why));
	}

	/** Records the step's end unless another worker has taken the step over. */
	private void updateIfHeld(StepExecution execution) {
		if (this.claims.takenOver(execution).isEmpty()) {
			this.repository.update(execution);
		}
	}

}

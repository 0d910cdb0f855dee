package dev.retrain.jobs.runs;

import java.time.LocalDate;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.EmptyResultDataAccessException;

import dev.retrain.jobs.pipeline.DriftPolicy;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.models.files.PathSegment;

/**
 * Starts retrain runs, one per pipeline at a time (the database lock), with identifying
 * parameters pipeline, as-of date and run key. Launching the same three again restarts a
 * failed run; a new run key re-runs a date on purpose.
 */
public class RunLauncher {

	private final JobOperator operator;

	private final JobRepository repository;

	private final Job job;

	private final PipelineCatalog catalog;

	private final PipelineLocks locks;

	private final RunRecords runs;

	private final PipelineData data;

	private final ApplicationEventPublisher events;

	/** Whether this node is shutting down ({@link NodeShutdown}): it launches nothing. */
	private final BooleanSupplier leaving;

	RunLauncher(JobOperator operator, JobRepository repository, Job job, PipelineCatalog catalog, PipelineLocks locks,
			RunRecords runs, PipelineData data, ApplicationEventPublisher events, BooleanSupplier leaving) {
		this.leaving = leaving;
		this.events = events;
		this.runs = runs;
		this.operator = operator;
		this.repository = repository;
		this.job = job;
		this.catalog = catalog;
		this.locks = locks;
		this.data = data;
	}

	/**
	 * What to run; null fields take defaults (newest partition, a fresh run key, the
	 * pipeline's mode).
	 */
	/**
	 * The longest cause a run keeps: it is a job parameter, whose column holds 2,500
	 * characters; a longer one (a drift event's details) is cut, not refused, so that
	 * what triggered the run is never lost to its length.
	 */
	static final int CAUSE_LIMIT = 2000;

	static String cause(String cause) {
		return (cause == null || cause.length() <= CAUSE_LIMIT) ? cause : cause.substring(0, CAUSE_LIMIT - 1) + "…";
	}

	public record Request(String pipeline, LocalDate asOf, String runKey, Mode mode, Trigger trigger, String cause) {
	}

	/**
	 * Why an automatic retrain of {@code def} may not start now (its drift section's
	 * budget is spent), or empty.
	 */
	public Optional<String> budgetSpent(PipelineDefinition def) {
		DriftPolicy.Budget budget = def.drift().budget();
		if (budget == null) {
			return Optional.empty();
		}
		long used = this.runs.automaticRunsInLast(def.name(), budget.perDays());
		return (used < budget.maxRetrains()) ? Optional.empty()
				: Optional.of("the retrain budget is spent: " + used + " automatic retrains in the last "
						+ budget.perDays() + " days (drift.budget: at most " + budget.maxRetrains() + " per "
						+ budget.perDays() + " days); a manual launch is not limited");
	}

	public LaunchedRun launch(Request req) {
		if (this.leaving.getAsBoolean()) {
			throw new RunRejected("node " + this.locks.nodeId() + " is shutting down: launch on another node", null);
		}
		PipelineDefinition def = this.catalog.get(req.pipeline());
		LocalDate asOf = (req.asOf() != null) ? PipelineData.plausible("asOf", req.asOf()) : this.data.newestDay(def);
		Trigger trigger = (req.trigger() != null) ? req.trigger() : Trigger.API;
		String runKey = (req.runKey() != null) ? req.runKey() : (trigger == Trigger.SCHEDULE) ? "scheduled"
				: trigger.key() + "-" + UUID.randomUUID().toString().substring(0, 8);
		PathSegment.key("runKey", runKey);
		JobParametersBuilder params = new JobParametersBuilder().addString("pipeline", def.name(), true)
			.addLocalDate("asOf", asOf, true)
			.addString("runKey", runKey, true)
			.addString("trigger", trigger.key(), false);
		if (req.cause() != null) {
			params.addString("cause", cause(req.cause()), false);
		}
		if (req.mode() != null) {
			params.addString("mode", req.mode().name().toLowerCase(Locale.ROOT), false);
		}
		if (trigger == Trigger.SCHEDULE || trigger == Trigger.DRIFT || trigger == Trigger.DATA) {
			Optional<String> spent = budgetSpent(def);
			if (spent.isPresent()) {
				throw new RetrainBudgetSpent(def.name(), spent.get());
			}
		}
		String token = this.locks.acquire(def.name());
		try {
			JobExecution execution = this.operator.start(this.job, params.toJobParameters());
			this.locks.attach(def.name(), execution.getId());
			this.runs.create(execution.getId(), execution.getJobInstanceId(), def.name(), asOf, runKey, trigger.key(),
					cause(req.cause()), (req.mode() != null) ? req.mode().name().toLowerCase(Locale.ROOT) : null);
			return new LaunchedRun(execution.getId(), def.name(), asOf, runKey, trigger.key());
		}
		catch (JobInstanceAlreadyCompleteException ex) {
			this.locks.release(def.name(), token);
			throw new RunRejected("the run of pipeline '" + def.name() + "' for " + asOf + " with run key '" + runKey
					+ "' already completed; launch with another run key to re-run that date", ex);
		}
		catch (JobExecutionAlreadyRunningException ex) {
			this.locks.release(def.name(), token);
			throw new RunAlreadyActive(def.name(), null, ex.getMessage());
		}
		catch (Exception ex) {
			this.locks.release(def.name(), token);
			throw (ex instanceof RuntimeException r) ? r : new RunRejected("cannot start: " + ex.getMessage(), ex);
		}
	}

	/** A person's launch: as {@link #launch(Request)}, then {@link RunLaunched}. */
	public LaunchedRun launch(Request req, String actor) {
		LaunchedRun run = launch(req);
		this.events.publishEvent(new RunLaunched(run, actor));
		return run;
	}

	/**
	 * A person's stop: refused when the run is not running; else asked as by
	 * {@link #requestStop}, then {@link RunStopRequested}.
	 */
	public void stop(long runId, String actor) {
		RunRecord r = this.runs.find(runId).orElseThrow(() -> new RunNotFound(runId));
		if (!requestStop(runId)) {
			throw new RunRejected("run " + runId + " is not running (" + r.status() + ")", null);
		}
		this.events.publishEvent(new RunStopRequested(r.pipeline(), runId, actor));
	}

	/** A person's restart: as {@link #restart(long)}, then {@link RunRestarted}. */
	public LaunchedRun restart(long runId, String actor) {
		LaunchedRun run = restart(runId);
		this.events.publishEvent(new RunRestarted(runId, run, actor));
		return run;
	}

	/**
	 * Asks a running run to stop (see {@link StopRequest}): the running step sees it at
	 * its next check (training after the current epoch; other steps at their next commit)
	 * on whichever node runs it. Returns false when the run is not running.
	 */
	public boolean requestStop(long runId) {
		return StopRequest.send(this.repository, runId);
	}

	/**
	 * A run whose own end was recorded (its run record, written by the run as it ended)
	 * and whose pipeline lock no longer names it, while the job repository still says it
	 * runs: the repository's last update was lost (the database connection was cut as the
	 * run ended). Spring Batch's {@code JobOperator.recover} marks it FAILED, so that it
	 * can be restarted.
	 */
	private JobExecution recoveredIfItsEndWasLost(JobExecution previous) {
		if (!previous.getStatus().isRunning()) {
			return previous;
		}
		long runId = previous.getId();
		boolean ended = this.runs.find(runId).map(r -> r.endedAt() != null).orElse(false);
		String pipeline = previous.getJobParameters().getString("pipeline");
		Long holding = (pipeline != null) ? this.locks.runningRun(pipeline) : null;
		if (!ended || (holding != null && holding == runId)) {
			return previous;
		}
		this.operator.recover(previous);
		return this.repository.getJobExecution(runId);
	}

	/**
	 * Spring Batch marks a step UNKNOWN when it cannot tell whether its last commit
	 * happened (the database connection was cut at commit, say) and refuses to restart
	 * it, as repeating a non-idempotent step could do its work twice. Every step of the
	 * retrain job is safe to repeat (training resumes from a checkpoint it verifies,
	 * register does nothing for a job instance that already has its version, the other
	 * steps rewrite their workspace files), so such a step is recorded FAILED and the run
	 * restarted like any failed one. The same holds for a step still recorded as running
	 * in a run that has ended: its last update was lost with the connection, and Spring
	 * Batch would refuse the restart as a race with a running execution.
	 */
	private void settledForRestart(JobExecution previous) {
		if (previous.isRunning()) {
			return;
		}
		for (StepExecution step : previous.getStepExecutions()) {
			BatchStatus status = step.getStatus();
			if (status == BatchStatus.UNKNOWN || status.isRunning()) {
				step.setStatus(BatchStatus.FAILED);
				step.setExitStatus(step.getExitStatus()
					.and(ExitStatus.FAILED)
					.addExitDescription("was " + status + " (its last update was not confirmed by the database); "
							+ "restarted because the retrain steps are safe to repeat"));
				this.repository.update(step);
			}
		}
		if (previous.getStatus() == BatchStatus.UNKNOWN) {
			previous.setStatus(BatchStatus.FAILED);
			this.repository.update(previous);
		}
	}

	/**
	 * Restarts a failed or stopped run from the step that failed; returns the new run id.
	 */
	public LaunchedRun restart(long runId) {
		JobExecution previous;
		try {
			previous = this.repository.getJobExecution(runId);
		}
		catch (EmptyResultDataAccessException ex) {
			// Spring Batch 6 throws here for an unknown id rather than returning null
			throw new RunNotFound(runId);
		}
		if (previous == null || !previous.getJobInstance().getJobName().equals(this.job.getName())) {
			// a job execution id of another job (a backtest) is no run
			throw new RunNotFound(runId);
		}
		previous = recoveredIfItsEndWasLost(previous);
		if (previous.isRunning() || previous.getStatus().name().equals("COMPLETED")) {
			throw new RunRejected(
					"run " + runId + " is " + previous.getStatus() + "; only a failed or stopped run can be restarted",
					null);
		}
		JobParameters p = previous.getJobParameters();
		String pipeline = p.getString("pipeline");
		this.catalog.get(pipeline);
		String token = this.locks.acquire(pipeline);
		try {
			settledForRestart(previous);
			JobExecution execution = this.operator.restart(previous);
			this.runs.create(execution.getId(), execution.getJobInstanceId(), pipeline, p.getLocalDate("asOf"),
					p.getString("runKey"), p.getString("trigger"), "restart of run " + runId, p.getString("mode"));
			return new LaunchedRun(execution.getId(), pipeline, p.getLocalDate("asOf"), p.getString("runKey"),
					p.getString("trigger"));
		}
		catch (Exception ex) {
			this.locks.release(pipeline, token);
			throw new RunRejected("cannot restart run " + runId + ": " + ex.getMessage(), ex);
		}
	}

}

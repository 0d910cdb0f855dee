package dev.retrain.jobs.retrain;

import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.NodeShutdown;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.jobs.runs.RunFinished;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.StartupRecovery;

/**
 * Keeps the run history and the pipeline lock in step with the job: a record when an
 * execution starts, its outcome and failure reason when it ends, the lock released, the
 * workspace removed on success.
 */
public class RunLifecycleListener implements JobExecutionListener {

	/**
	 * The run this thread executes, from beforeJob to the end of afterJob: still here
	 * when the job's thread ends means afterJob never ran.
	 */
	private static final ThreadLocal<RunContext> OPEN = new ThreadLocal<>();

	private static final Logger log = LoggerFactory.getLogger(RunLifecycleListener.class);

	/**
	 * The end of a run is written through a lost connection now and then (a database
	 * failover as the run ends): each connection the pool hands out fails once and is
	 * dropped, so the next try gets a live one. Without this, the run stayed "running"
	 * and its pipeline locked until the node restarted. Up to 6 tries over about 6
	 * seconds.
	 */
	private static final RetryTemplate DATABASE = new RetryTemplate(RetryPolicy.builder()
		.maxRetries(6)
		.delay(Duration.ofMillis(100))
		.multiplier(2)
		.includes(DataAccessException.class, TransactionException.class)
		.build());

	private final RunRecords runs;

	private final PipelineLocks locks;

	private final ModelRegistry registry;

	private final RetrainProperties props;

	private final FailureText text;

	private final ApplicationEventPublisher events;

	private final JobRepository repository;

	private final ObjectProvider<NodeShutdown> shutdown;

	RunLifecycleListener(RunRecords runs, PipelineLocks locks, ModelRegistry registry, RetrainProperties props,
			ApplicationEventPublisher events, JobRepository repository, ObjectProvider<NodeShutdown> shutdown) {
		this.repository = repository;
		this.shutdown = shutdown;
		this.events = events;
		this.runs = runs;
		this.locks = locks;
		this.registry = registry;
		this.props = props;
		this.text = new FailureText(props);
	}

	@Override
	public void beforeJob(JobExecution execution) {
		RunContext run = RunContext.of(execution);
		OPEN.set(run);
		RunMdc.put(run.runId(), run.pipeline());
		var p = execution.getJobParameters();
		this.runs.create(run.runId(), run.jobInstanceId(), run.pipeline(), run.asOf(), p.getString(RunContext.RUN_KEY),
				p.getString(RunContext.TRIGGER, "api"), p.getString(RunContext.CAUSE), run.requestedMode());
		this.locks.attach(run.pipeline(), run.runId());
		log.info("run {} of pipeline {} for {} started", run.runId(), run.pipeline(), run.asOf());
	}

	@Override
	public void afterJob(JobExecution execution) {
		RunContext run = RunContext.of(execution);
		RunMdc.put(run.runId(), run.pipeline());
		boolean handedOver = false;
		try {
			retried(() -> {
				this.registry.versionOfJobInstance(run.pipeline(), run.jobInstanceId())
					.ifPresent(v -> this.runs.candidate(run.runId(), v.version(), v.decision(), v.decisionSummary()));
				return null;
			});
			String reason = (execution.getStatus() == BatchStatus.COMPLETED) ? null
					: withoutServerPaths(failureReason(execution, onWorkers(execution)));
			String status = execution.getStatus().name();
			if (execution.getStatus() == BatchStatus.UNKNOWN) {
				// Spring Batch could not record how a step ended: for whoever reads runs,
				// a
				// failed run that a restart resumes
				status = BatchStatus.FAILED.name();
				reason = "the database did not confirm the end of a step (" + reason
						+ "); restart the run: its steps are safe to repeat";
			}
			NodeShutdown leaving = this.shutdown.getIfAvailable();
			if (leaving != null && leaving.leaving() && execution.getStatus() == BatchStatus.STOPPED) {
				// stopped because this node shuts down: it keeps its lock, and the next
				// node
				// to declare this one stopped resumes it (StartupRecovery#recoverRun)
				handedOver = true;
				reason = StartupRecovery.HANDED_OVER + ": node " + this.locks.nodeId()
						+ " shut down during the run; another node resumes it from its last checkpoint";
			}
			String ended = status;
			String why = reason;
			// the lock goes before the record says the run ended, so that whoever sees
			// it ended (a client, the consistency check) never sees its lock still held;
			// the finally below releases it where this did not run
			if (!handedOver) {
				retried(() -> {
					this.locks.releaseRun(run.pipeline(), run.runId());
					return null;
				});
			}
			retried(() -> {
				this.runs.finished(run.runId(), ended, why);
				return null;
			});
			retried(() -> {
				this.runs.find(run.runId()).ifPresent(r -> this.events.publishEvent(new RunFinished(r)));
				return null;
			});
			if (execution.getStatus() == BatchStatus.COMPLETED) {
				RunWorkspace.of(this.props, run).delete();
			}
			log.info("run {} of pipeline {} ended {}{}", run.runId(), run.pipeline(), status,
					(reason != null) ? ": " + reason : "");
		}
		finally {
			if (!handedOver) {
				retried(() -> {
					this.locks.releaseRun(run.pipeline(), run.runId());
					return null;
				});
			}
			OPEN.remove();
			RunMdc.clear();
		}
	}

	/**
	 * {@code job} (a launch, on the runs' executor) with a guard: where Spring Batch's
	 * own last update of the job execution fails (a database failover as the run ends),
	 * the exception leaves the job before its afterJob listeners, and the run stayed
	 * "running" with its pipeline locked until the node restarted. The guard records the
	 * run FAILED with the reason and frees the pipeline; Spring Batch's record of it is
	 * put right when the run is restarted (see RunLauncher).
	 */
	public Runnable guard(Runnable job) {
		return () -> {
			Throwable failure = null;
			try {
				job.run();
			}
			catch (RuntimeException | Error ex) {
				failure = ex;
				throw ex;
			}
			finally {
				RunContext run = OPEN.get();
				if (run != null) {
					OPEN.remove();
					endedWithoutAfterJob(run, failure);
				}
			}
		};
	}

	private void endedWithoutAfterJob(RunContext run, Throwable failure) {
		RunMdc.put(run.runId(), run.pipeline());
		try {
			String reason = withoutServerPaths("the database did not confirm the end of the run ("
					+ ((failure != null) ? cause(failure) : "its end was not recorded")
					+ "); restart the run: its steps are safe to repeat");
			retried(() -> {
				this.runs.finished(run.runId(), BatchStatus.FAILED.name(), reason);
				return null;
			});
			retried(() -> {
				this.runs.find(run.runId()).ifPresent(r -> this.events.publishEvent(new RunFinished(r)));
				return null;
			});
			log.warn("run {} of pipeline {} ended FAILED: {}", run.runId(), run.pipeline(), reason);
		}
		catch (RuntimeException ex) {
			log.error("run {} of pipeline {}: its end could not be recorded ({}); the node's next start recovers it",
					run.runId(), run.pipeline(), ex.getMessage());
		}
		finally {
			try {
				retried(() -> {
					this.locks.releaseRun(run.pipeline(), run.runId());
					return null;
				});
			}
			catch (RuntimeException ex) {
				log.error("run {}: the lock of pipeline {} could not be released ({})", run.runId(), run.pipeline(),
						ex.getMessage());
			}
			RunMdc.clear();
		}
	}

	/** The failure and, where it differs, its most specific cause. */
	private static String cause(Throwable failure) {
		Throwable root = NestedExceptionUtils.getMostSpecificCause(failure);
		return (root != failure && root.getMessage() != null) ? failure.getMessage() + ": " + root.getMessage()
				: failure.getMessage();
	}

	private static void retried(Retryable<Void> write) {
		try {
			DATABASE.execute(write);
		}
		catch (RetryException ex) {
			throw (ex.getCause() instanceof RuntimeException r) ? r : new IllegalStateException(ex);
		}
	}

	/**
	 * The reason as anyone who reads runs may see it ({@link FailureText}): no server
	 * directories, no Java class names.
	 */
	String withoutServerPaths(String reason) {
		return (reason == null) ? null : this.text.of(reason);
	}

	/**
	 * The failed step and the reason in its own words (domain exceptions carry the file
	 * and column).
	 */
	/**
	 * The steps that ran on workers, as the job repository has them now (the worker
	 * recorded them; this node's copy of the execution does not hold them).
	 */
	private List<StepExecution> onWorkers(JobExecution execution) {
		try {
			JobExecution fresh = this.repository.getJobExecution(execution.getId());
			return (fresh == null) ? List.of()
					: fresh.getStepExecutions()
						.stream()
						.filter(s -> s.getStepName().equals(RetrainJobConfiguration.TRAIN_ON_WORKER)
								|| s.getStepName().equals(RetrainJobConfiguration.EVALUATE_ON_WORKER))
						.toList();
		}
		catch (RuntimeException ex) {
			log.warn("cannot read the steps that ran on workers of run {}: {}", execution.getId(), ex.toString());
			return List.of();
		}
	}

	static String failureReason(JobExecution execution) {
		return failureReason(execution, List.of());
	}

	/**
	 * The same, and a step that failed on a worker ({@code onWorkers}) gives its reason
	 * in words: the first line of its exit description without Java class names.
	 */
	static String failureReason(JobExecution execution, List<StepExecution> onWorkers) {
		for (StepExecution step : onWorkers) {
			String words = FailureText.firstLineInWords(step.getExitStatus().getExitDescription());
			if (step.getStatus() == BatchStatus.FAILED && words != null) {
				// a step that no worker took failed here, with its reason as its exit
				// message
				return words.startsWith("no worker took") ? words
						: "step '" + step.getStepName() + "' failed on a worker: " + words;
			}
		}
		return failureReasonHere(execution);
	}

	private static String failureReasonHere(JobExecution execution) {
		if (execution.getStatus() == BatchStatus.STOPPED) {
			for (StepExecution step : execution.getStepExecutions()) {
				if (step.getStatus() == BatchStatus.STOPPED) {
					return "stopped on request during step '" + step.getStepName()
							+ "'; restart the run to resume (training resumes from its last checkpoint)";
				}
			}
			return "stopped on request";
		}
		// a partition's own failure (a search's candidate, here or on a worker), not the
		// partitioned step's "a partition failed"
		for (StepExecution step : execution.getStepExecutions()) {
			if (step.getStatus() == BatchStatus.FAILED && step.getStepName().contains(":")) {
				String description = step.getExitStatus().getExitDescription();
				return "step '" + step.getStepName() + "' failed: "
						+ (!step.getFailureExceptions().isEmpty() ? describe(step.getFailureExceptions().get(0))
								: description.lines().findFirst().orElse("(no description)"));
			}
		}
		for (StepExecution step : execution.getStepExecutions()) {
			if (step.getStatus() == BatchStatus.FAILED && !step.getFailureExceptions().isEmpty()) {
				return "step '" + step.getStepName() + "' failed: " + describe(step.getFailureExceptions().get(0));
			}
		}
		if (!execution.getAllFailureExceptions().isEmpty()) {
			return describe(execution.getAllFailureExceptions().get(0));
		}
		return (execution.getStatus() == BatchStatus.STOPPED) ? "stopped on request"
				: execution.getExitStatus().getExitDescription();
	}

	static String describe(Throwable ex) {
		return FailureText.describe(ex);
	}

}

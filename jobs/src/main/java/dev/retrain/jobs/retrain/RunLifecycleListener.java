package dev.retrain.jobs.retrain;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.context.ApplicationEventPublisher;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.jobs.runs.RunFinished;
import dev.retrain.jobs.runs.RunRecords;

/**
 * Keeps the run history and the pipeline lock in step with the job: a record when an
 * execution starts, its outcome and failure reason when it ends, the lock released, the
 * workspace removed on success.
 */
class RunLifecycleListener implements JobExecutionListener {

	private static final Logger log = LoggerFactory.getLogger(RunLifecycleListener.class);

	private final RunRecords runs;

	private final PipelineLocks locks;

	private final ModelRegistry registry;

	private final RetrainProperties props;

	private final ApplicationEventPublisher events;

	RunLifecycleListener(RunRecords runs, PipelineLocks locks, ModelRegistry registry, RetrainProperties props,
			ApplicationEventPublisher events) {
		this.events = events;
		this.runs = runs;
		this.locks = locks;
		this.registry = registry;
		this.props = props;
	}

	@Override
	public void beforeJob(JobExecution execution) {
		RunContext run = RunContext.of(execution);
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
		try {
			this.registry.versionOfJobInstance(run.pipeline(), run.jobInstanceId())
				.ifPresent(v -> this.runs.candidate(run.runId(), v.version(), v.decision(), v.decisionSummary()));
			String reason = (execution.getStatus() == BatchStatus.COMPLETED) ? null
					: withoutServerPaths(failureReason(execution));
			String status = execution.getStatus().name();
			if (execution.getStatus() == BatchStatus.UNKNOWN) {
				// Spring Batch could not record how a step ended: for whoever reads runs,
				// a
				// failed run that a restart resumes
				status = BatchStatus.FAILED.name();
				reason = "the database did not confirm the end of a step (" + reason
						+ "); restart the run: its steps are safe to repeat";
			}
			this.runs.finished(run.runId(), status, reason);
			this.runs.find(run.runId()).ifPresent(r -> this.events.publishEvent(new RunFinished(r)));
			if (execution.getStatus() == BatchStatus.COMPLETED) {
				RunWorkspace.of(this.props, run).delete();
			}
			log.info("run {} of pipeline {} ended {}{}", run.runId(), run.pipeline(), status,
					(reason != null) ? ": " + reason : "");
		}
		finally {
			this.locks.releaseRun(run.pipeline(), run.runId());
			RunMdc.clear();
		}
	}

	/**
	 * The reason as anyone who reads runs may see it: the server's data and configuration
	 * directories are written {@code <data-dir>} and {@code <config-dir>}.
	 */
	String withoutServerPaths(String reason) {
		if (reason == null) {
			return null;
		}
		String out = reason;
		out = replaceDir(out, this.props.dataDir(), "<data-dir>");
		return replaceDir(out, this.props.configDir(), "<config-dir>");
	}

	private static String replaceDir(String text, java.nio.file.Path dir, String name) {
		String absolute = dir.toAbsolutePath().normalize().toString();
		return (absolute.length() > 1) ? text.replace(absolute, name) : text;
	}

	/**
	 * The failed step and the reason in its own words (domain exceptions carry the file
	 * and column).
	 */
	static String failureReason(JobExecution execution) {
		if (execution.getStatus() == BatchStatus.STOPPED) {
			for (StepExecution step : execution.getStepExecutions()) {
				if (step.getStatus() == BatchStatus.STOPPED) {
					return "stopped on request during step '" + step.getStepName()
							+ "'; restart the run to resume (training resumes from its last checkpoint)";
				}
			}
			return "stopped on request";
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
		Throwable t = ex;
		while (t.getCause() != null && t.getCause() != t && !isDomain(t)) {
			t = t.getCause();
		}
		return isDomain(t) ? t.getMessage() : t.getClass().getSimpleName() + ": " + t.getMessage();
	}

	private static boolean isDomain(Throwable t) {
		return t.getClass().getName().startsWith("dev.retrain.");
	}

}

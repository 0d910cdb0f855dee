package dev.retrain.jobs.scoring;

import java.time.LocalDate;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ApplicationEventPublisher;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.runs.JobStarts;
import dev.retrain.jobs.runs.RunRejected;

/**
 * Launches the label-join job for a pipeline's day. Its identifying parameters are
 * pipeline, date and a run id of its own, so the same day can be joined again when more
 * labels landed; a failed join is not restarted but launched anew.
 */
public class LabelJoins {

	private final JobOperator operator;

	private final JobRepository repository;

	private final Job job;

	private final PipelineCatalog catalog;

	private final FailureText text;

	private final ApplicationEventPublisher events;

	public LabelJoins(JobOperator operator, JobRepository repository, Job job, PipelineCatalog catalog,
			FailureText text, ApplicationEventPublisher events) {
		this.text = text;
		this.events = events;
		this.operator = operator;
		this.repository = repository;
		this.job = job;
		this.catalog = catalog;
	}

	/** A person's label join: as {@link #launch}, then {@link LabelJoinRequested}. */
	public long launch(String pipeline, LocalDate day, String trigger, String actor) {
		long id = launch(pipeline, day, trigger);
		this.events.publishEvent(new LabelJoinRequested(id, pipeline, day, actor));
		return id;
	}

	/** Starts joining {@code day}; returns the job execution id. */
	public long launch(String pipeline, LocalDate day, String trigger) {
		PipelineDefinition def = this.catalog.get(pipeline);
		if (def.labels() == null) {
			throw new RunRejected("pipeline '" + def.name() + "' has no labels section (labels.path)", null);
		}
		PipelineData.plausible("date", day);
		JobParameters params = new JobParametersBuilder().addString(ScoringLauncher.PIPELINE, def.name(), true)
			.addLocalDate(ScoringLauncher.DATE, day, true)
			.addLong("at", System.currentTimeMillis(), true)
			.addString(ScoringLauncher.TRIGGER, trigger, false)
			.toJobParameters();
		return JobStarts.oneAtATime("label-join:" + def.name() + ":" + day, () -> {
			for (JobExecution running : this.repository.findRunningJobExecutions(this.job.getName())) {
				JobParameters p = running.getJobParameters();
				if (def.name().equals(p.getString(ScoringLauncher.PIPELINE))
						&& day.equals(p.getLocalDate(ScoringLauncher.DATE))) {
					throw new RunRejected("a label join of '" + def.name() + "' for " + day + " is running (join "
							+ running.getId() + "); one per pipeline and date at a time", null);
				}
			}
			String what = "the label join of '" + def.name() + "' for " + day;
			return JobStarts.start(this.operator, this.job, params, what, what + " already completed").getId();
		});
	}

	/** A join's status and, when it failed, why (first line). */
	public record Status(long id, String pipeline, LocalDate date, String status, Long labelledRows, String failure) {
	}

	public Status status(long id) {
		JobExecution e = this.repository.getJobExecution(id);
		Long rows = null;
		for (var step : e.getStepExecutions()) {
			if (step.getExecutionContext().containsKey("rows")) {
				rows = step.getExecutionContext().getLong("rows");
			}
		}
		String failure = e.getStatus().isUnsuccessful() ? this.text.of(e) : null;
		return new Status(id, e.getJobParameters().getString(ScoringLauncher.PIPELINE),
				e.getJobParameters().getLocalDate(ScoringLauncher.DATE), e.getStatus().name(), rows, failure);
	}

}

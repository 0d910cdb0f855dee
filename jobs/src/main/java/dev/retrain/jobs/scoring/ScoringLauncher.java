package dev.retrain.jobs.scoring;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.List;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ApplicationEventPublisher;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.VersionNotFound;
import dev.retrain.jobs.runs.JobStarts;
import dev.retrain.jobs.runs.RunRejected;
import dev.retrain.models.files.PathSegment;

/**
 * Launches the batch scoring job: a pipeline's date scored with the champion (as it is at
 * launch) or a named version. Identifying parameters are pipeline, date, version and run
 * key, so launching a failed scoring again restarts it, a completed one is refused
 * (another run key scores the date again on purpose), and a new champion scores a date
 * anew. One scoring per pipeline and date runs at a time, whatever the version or key.
 */
public class ScoringLauncher {

	static final String PIPELINE = "pipeline";

	static final String DATE = "date";

	static final String VERSION = "version";

	static final String RUN_KEY = "runKey";

	static final String TRIGGER = "trigger";

	private final JobOperator operator;

	private final JobRepository repository;

	private final Job job;

	private final PipelineCatalog catalog;

	private final PipelineData data;

	private final ModelRegistry registry;

	private final FailureText text;

	private final ApplicationEventPublisher events;

	public ScoringLauncher(JobOperator operator, JobRepository repository, Job job, PipelineCatalog catalog,
			PipelineData data, ModelRegistry registry, FailureText text, ApplicationEventPublisher events) {
		this.text = text;
		this.events = events;
		this.operator = operator;
		this.repository = repository;
		this.job = job;
		this.catalog = catalog;
		this.data = data;
		this.registry = registry;
	}

	/** What was launched. */
	public record Launched(long id, String pipeline, LocalDate date, int version, String runKey) {
	}

	/** A person's scoring: as {@link #launch}, then {@link ScoringRequested}. */
	public Launched launch(String pipeline, LocalDate date, Integer version, String runKey, String trigger,
			String actor) {
		Launched launched = launch(pipeline, date, version, runKey, trigger);
		this.events.publishEvent(new ScoringRequested(launched, actor));
		return launched;
	}

	/**
	 * Scores {@code date} (null: the newest day of data) with {@code version} (null: the
	 * champion) under {@code runKey} (null: {@code default}).
	 */
	public Launched launch(String pipeline, LocalDate date, Integer version, String runKey, String trigger) {
		PipelineDefinition def = this.catalog.get(pipeline);
		LocalDate day = (date != null) ? PipelineData.plausible("date", date) : this.data.newestDay(def);
		int v;
		if (version != null) {
			this.registry.version(def.name(), version).orElseThrow(() -> new VersionNotFound(def.name(), version));
			v = version;
		}
		else {
			v = this.registry.champion(def.name())
				.orElseThrow(() -> new RunRejected(
						"pipeline '" + def.name() + "' has no champion to score with; name a version", null));
		}
		String key = (runKey != null) ? runKey : "default";
		PathSegment.key("runKey", key);
		JobParameters params = new JobParametersBuilder().addString(PIPELINE, def.name(), true)
			.addLocalDate(DATE, day, true)
			.addLong(VERSION, (long) v, true)
			.addString(RUN_KEY, key, true)
			.addString(TRIGGER, (trigger != null) ? trigger : "api", false)
			.toJobParameters();
		return JobStarts.oneAtATime("score:" + def.name() + ":" + day, () -> {
			for (JobExecution running : this.repository.findRunningJobExecutions(this.job.getName())) {
				JobParameters p = running.getJobParameters();
				if (def.name().equals(p.getString(PIPELINE)) && day.equals(p.getLocalDate(DATE))) {
					throw new RunRejected("a scoring of '" + def.name() + "' for " + day + " is running (scoring "
							+ running.getId() + "); one per pipeline and date at a time", null);
				}
			}
			JobExecution execution = JobStarts.start(this.operator, this.job, params,
					"the scoring of '" + def.name() + "' for " + day,
					"'" + def.name() + "' for " + day + " was already scored with v" + v + " under run key '" + key
							+ "'; launch with another run key to score it again");
			return new Launched(execution.getId(), def.name(), day, v, key);
		});
	}

	/** A scoring as the job repository has it. */
	public record Scoring(long id, String pipeline, LocalDate date, int version, String runKey, String trigger,
			String status, LocalDateTime startedAt, LocalDateTime endedAt, Long rows, String output, String failure) {
	}

	/** One scoring by its id (a job execution of the scoring job), or null. */
	public Scoring find(long id) {
		JobExecution e;
		try {
			e = this.repository.getJobExecution(id);
		}
		catch (org.springframework.dao.EmptyResultDataAccessException ex) {
			return null;
		}
		if (e == null || !e.getJobInstance().getJobName().equals(this.job.getName())) {
			return null;
		}
		return view(e);
	}

	/** The newest scorings of a pipeline, newest first. */
	public List<Scoring> recent(String pipeline, int max) {
		this.catalog.get(pipeline);
		List<JobInstance> instances = this.repository.getJobInstances(this.job.getName(), 0, 500);
		return instances.stream()
			.flatMap(i -> this.repository.getJobExecutions(i).stream())
			.filter(e -> pipeline.equals(e.getJobParameters().getString(PIPELINE)))
			.sorted(Comparator.comparing(JobExecution::getId).reversed())
			.limit(max)
			.map(e -> view(this.repository.getJobExecution(e.getId())))
			.toList();
	}

	private Scoring view(JobExecution e) {
		JobParameters p = e.getJobParameters();
		Long rows = null;
		String output = null;
		for (var step : e.getStepExecutions()) {
			if (step.getExecutionContext().containsKey("rows")) {
				rows = step.getExecutionContext().getLong("rows");
				output = step.getExecutionContext().getString("output", null);
			}
		}
		String failure = e.getStatus().isUnsuccessful() ? this.text.of(e) : null;
		return new Scoring(e.getId(), p.getString(PIPELINE), p.getLocalDate(DATE), p.getLong(VERSION).intValue(),
				p.getString(RUN_KEY), p.getString(TRIGGER), e.getStatus().name(), e.getStartTime(), e.getEndTime(),
				rows, output, failure);
	}

}

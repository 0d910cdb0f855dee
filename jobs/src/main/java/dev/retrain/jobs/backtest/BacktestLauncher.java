package dev.retrain.jobs.backtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.runs.JobStarts;
import dev.retrain.jobs.runs.RunRejected;
import dev.retrain.jobs.runs.StopRequest;

/**
 * Starts, stops and restarts backtests, and tells their status. A backtest's id is its
 * row in table {@code backtest} (pipeline, who asked, when, and the node that last
 * started it), taken before the job starts so that the request can be stored under
 * {@code <data>/backtests/<id>/}. The job {@value BacktestJobConfiguration#JOB_NAME} runs
 * it with that id as its one identifying parameter, so an id names one job instance: it
 * stays the same across restarts, and the backtest's status is that of the instance's
 * last job execution.
 */
public class BacktestLauncher {

	private final JobOperator operator;

	private final JobRepository repository;

	private final Job job;

	private final PipelineCatalog catalog;

	private final JdbcTemplate jdbc;

	private final Path dataDir;

	private final FailureText text;

	private final String node;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	BacktestLauncher(JobOperator operator, JobRepository repository, Job job, PipelineCatalog catalog,
			JdbcTemplate jdbc, Path dataDir, String node, Clock clock, ApplicationEventPublisher events) {
		this.events = events;
		this.operator = operator;
		this.repository = repository;
		this.job = job;
		this.catalog = catalog;
		this.jdbc = jdbc;
		this.dataDir = dataDir;
		this.text = new FailureText(dataDir, this.catalog.directory());
		this.node = node;
		this.clock = clock;
	}

	/**
	 * Starts a backtest of a loaded pipeline (its file as it is now) with a policy file's
	 * text; returns its id. A bad policy file, or one that leaves no whole period, is
	 * refused now, naming the policy and field, rather than after the first policies ran.
	 * The days it covers are fixed now, so that a restart replays the same periods.
	 * Raises {@link BacktestRequested}.
	 */
	public long start(String pipeline, String policies, String requestedBy) {
		PipelineDefinition def = this.catalog.get(pipeline);
		String yaml;
		try {
			yaml = Files.readString(this.catalog.directory().resolve(Path.of(def.source()).getFileName()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read the pipeline file " + def.source(), ex);
		}
		BacktestPlan plan = BacktestPlan.of(PolicyFile.parse(policies).request(yaml, this.dataDir, this.dataDir));
		GeneratedKeyHolder key = new GeneratedKeyHolder();
		this.jdbc.update(c -> {
			var ps = c.prepareStatement(
					"INSERT INTO backtest (pipeline, requested_by, created_at, node) VALUES (?, ?, ?, ?)",
					new String[] { "id" });
			ps.setString(1, def.name());
			ps.setString(2, requestedBy);
			ps.setObject(3, OffsetDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC));
			ps.setString(4, this.node);
			return ps;
		}, key);
		long id = key.getKey().longValue();
		BacktestDirectory.of(this.dataDir, id).writeRequest(yaml, policies);
		JobParameters params = new JobParametersBuilder(identifying(id))
			.addString(BacktestJobConfiguration.PIPELINE, def.name(), false)
			.addLocalDate(BacktestJobConfiguration.FROM, plan.from(), false)
			.addLocalDate(BacktestJobConfiguration.TO, plan.to(), false)
			.toJobParameters();
		JobStarts.start(this.operator, this.job, params, "backtest " + id, "backtest " + id + " already completed");
		this.events.publishEvent(new BacktestRequested(id, def.name(), BacktestRequested.Request.START, requestedBy));
		return id;
	}

	/**
	 * Restarts a failed or stopped backtest on this node: the policies already replayed
	 * are kept, the others replayed, and the report written.
	 */
	public void restart(long id) {
		row(id);
		JobExecution last = lastExecution(id);
		if (last == null) {
			throw new RunRejected("backtest " + id + " has no job execution to restart; start it again", null);
		}
		if (last.isRunning() || last.getStatus() == BatchStatus.COMPLETED) {
			throw new RunRejected("backtest " + id + " is " + last.getStatus()
					+ "; only a failed or stopped backtest can be restarted", null);
		}
		JobStarts.oneAtATime("backtest:" + id, () -> {
			try {
				return this.operator.restart(last);
			}
			catch (Exception ex) {
				throw new RunRejected("backtest " + id + " is being restarted by another request, or cannot be "
						+ "restarted as it is; start it again", ex);
			}
		});
		// only the node whose restart was taken records itself: a refused one must not
		// take the backtest over
		this.jdbc.update("UPDATE backtest SET node = ? WHERE id = ?", this.node, id);
	}

	/** A person's restart: as {@link #restart(long)}, then {@link BacktestRequested}. */
	public void restart(long id, String actor) {
		restart(id);
		this.events
			.publishEvent(new BacktestRequested(id, row(id).pipeline(), BacktestRequested.Request.RESTART, actor));
	}

	/**
	 * A person's stop: refused when the backtest is not running; else asked as by
	 * {@link #requestStop}, then {@link BacktestRequested}.
	 */
	public void stop(long id, String actor) {
		if (!requestStop(id)) {
			throw new RunRejected("backtest " + id + " is not running (" + status(id).status() + ")", null);
		}
		this.events.publishEvent(new BacktestRequested(id, row(id).pipeline(), BacktestRequested.Request.STOP, actor));
	}

	/**
	 * Asks a running backtest to stop (see {@link StopRequest}): it stops at its policy's
	 * next progress line, or between policies. Returns false when it is not running.
	 */
	public boolean requestStop(long id) {
		row(id);
		JobExecution last = lastExecution(id);
		return last != null && StopRequest.send(this.repository, last.getId());
	}

	/** A backtest's status, progress and failure, from its last job execution. */
	public BacktestStatus status(long id) {
		Row row = row(id);
		BacktestDirectory dir = BacktestDirectory.of(this.dataDir, id);
		JobExecution last = lastExecution(id);
		if (last == null) {
			// started before backtests were jobs (its report tells whether it completed),
			// or its launch failed
			return dir.hasReport()
					? new BacktestStatus(id, row.pipeline(), "COMPLETED", null, row.createdAt(), null, null, dir.path())
					: new BacktestStatus(id, row.pipeline(), "FAILED", null, row.createdAt(), null,
							"it has no job execution: it ran before backtests were Spring Batch jobs, or did not start",
							null);
		}
		BatchStatus status = last.getStatus();
		boolean completed = status == BatchStatus.COMPLETED && dir.hasReport();
		return new BacktestStatus(id, row.pipeline(), word(status), progress(last), row.createdAt(),
				last.isRunning() ? null : instant(last.getEndTime()),
				(status == BatchStatus.FAILED) ? failure(last) : null, completed ? dir.path() : null);
	}

	/**
	 * The ids of the newest backtests, newest first, of one pipeline or (null) of all; at
	 * most {@code limit}.
	 */
	public List<Long> newest(String pipeline, int limit) {
		return (pipeline == null)
				? this.jdbc.queryForList("SELECT id FROM backtest ORDER BY id DESC LIMIT ?", Long.class, limit)
				: this.jdbc.queryForList("SELECT id FROM backtest WHERE pipeline = ? ORDER BY id DESC LIMIT ?",
						Long.class, pipeline, limit);
	}

	/** The files of a completed backtest's report. */
	public enum ReportFile {

		HTML("report.html"), JSON("report.json"), CSV("periods.csv");

		private final String name;

		ReportFile(String name) {
			this.name = name;
		}

	}

	/** A file of a completed backtest's report. */
	public Path report(long id, ReportFile file) {
		Path dir = status(id).reportDir();
		if (dir == null) {
			throw new BacktestNotFound(id, "no report (yet)");
		}
		return dir.resolve(file.name);
	}

	/** A backtest's row. */
	private record Row(String pipeline, Instant createdAt) {
	}

	private Row row(long id) {
		return this.jdbc
			.query("SELECT pipeline, created_at FROM backtest WHERE id = ?",
					(rs, i) -> new Row(rs.getString("pipeline"),
							rs.getObject("created_at", OffsetDateTime.class).toInstant()),
					id)
			.stream()
			.findFirst()
			.orElseThrow(() -> new BacktestNotFound(id, "no such backtest"));
	}

	private JobExecution lastExecution(long id) {
		try {
			JobExecution last = this.repository.getLastJobExecution(BacktestJobConfiguration.JOB_NAME, identifying(id));
			// read again whole: with its step executions and their contexts
			return (last != null) ? this.repository.getJobExecution(last.getId()) : null;
		}
		catch (EmptyResultDataAccessException ex) {
			return null;
		}
	}

	private static JobParameters identifying(long id) {
		return new JobParametersBuilder().addLong(BacktestJobConfiguration.ID, id, true).toJobParameters();
	}

	/** The API's words: a backtest queued or replaying is RUNNING. */
	private static String word(BatchStatus status) {
		return (status == BatchStatus.STARTING || status == BatchStatus.STARTED) ? "RUNNING" : status.name();
	}

	/**
	 * The newest progress line of the execution's steps (a restarted step carries its
	 * predecessor's).
	 */
	private static String progress(JobExecution execution) {
		if (execution.getStatus() == BatchStatus.STARTING) {
			return "queued: a node runs one backtest at a time";
		}
		return execution.getStepExecutions()
			.stream()
			.sorted(Comparator.comparing(StepExecution::getId).reversed())
			.map(s -> s.getExecutionContext().getString(ReplayStep.PROGRESS, null))
			.filter(Objects::nonNull)
			.findFirst()
			.orElse(null);
	}

	/** Why it failed, in one line as anyone may see it ({@link FailureText}). */
	private String failure(JobExecution execution) {
		return this.text.of(execution);
	}

	private static Instant instant(LocalDateTime time) {
		// Spring Batch writes its times in the JVM's zone
		return (time != null) ? time.atZone(ZoneId.systemDefault()).toInstant() : null;
	}

}

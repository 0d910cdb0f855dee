package dev.retrain.jobs.runs;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.models.json.Json;

/**
 * Runs as people read them (the REST API and the console alike): the run record with its
 * steps from the job repository, and its recorded details as JSON.
 */
public class RunViews {

	/**
	 * The section of a run's details with the training curve so far (its
	 * {@code totalEpochs} and {@code curve}), written after each epoch while it trains.
	 */
	public static final String TRAINING_PROGRESS = "trainingProgress";

	private final RunRecords runs;

	private final JobRepository jobs;

	private final FailureText text;

	public RunViews(RunRecords runs, JobRepository jobs, FailureText text) {
		this.runs = runs;
		this.jobs = jobs;
		this.text = text;
	}

	/** One step of a run with its timing. */
	public record StepView(String name, String status, Instant startedAt, Instant endedAt, Long millis,
			String exitMessage) {
	}

	/** A run: what started it, what it read, how it ended, its steps and its reports. */
	public record RunView(long runId, long jobInstanceId, String pipeline, LocalDate asOf, String runKey,
			String trigger, String cause, String status, String requestedMode, String mode, String modeReason,
			String snapshotId, Long rowsRead, Integer candidateVersion, Integer championVersion, Decision decision,
			String decisionSummary, String failureReason, String progress, Instant createdAt, Instant endedAt,
			List<StepView> steps, JsonNode details) {
	}

	/** One run with its steps; {@link RunNotFound} when there is none. */
	public RunView get(long id) {
		RunRecord r = this.runs.find(id).orElseThrow(() -> new RunNotFound(id));
		return view(r, steps(id));
	}

	/** A page of {@link RunRecords#search}, without steps. */
	public List<RunView> withoutSteps(RunRecords.Page page) {
		return page.runs().stream().map(r -> view(r, null)).toList();
	}

	private List<StepView> steps(long id) {
		JobExecution execution = this.jobs.getJobExecution(id);
		if (execution == null) {
			return List.of();
		}
		return execution.getStepExecutions()
			.stream()
			.sorted(Comparator.comparing(StepExecution::getId))
			.map(s -> new StepView(s.getStepName(), s.getStatus().name(), instant(s.getStartTime()),
					instant(s.getEndTime()),
					(s.getStartTime() != null && s.getEndTime() != null)
							? Duration.between(s.getStartTime(), s.getEndTime()).toMillis() : null,
					s.getExitStatus().getExitDescription().isEmpty() ? null
							: this.text.of(firstLine(s.getExitStatus().getExitDescription()))))
			.toList();
	}

	private static String firstLine(String s) {
		int nl = s.indexOf('\n');
		return (nl > 0) ? s.substring(0, nl) : s;
	}

	private static Instant instant(LocalDateTime t) {
		return (t != null) ? t.atZone(ZoneId.systemDefault()).toInstant() : null;
	}

	private static RunView view(RunRecord r, List<StepView> steps) {
		return new RunView(r.runId(), r.jobInstanceId(), r.pipeline(), r.asOf(), r.runKey(), r.trigger(), r.cause(),
				r.status(), r.requestedMode(), r.mode(), r.modeReason(), r.snapshotId(), r.rowsRead(),
				r.candidateVersion(), r.championVersion(), r.decision(), r.decisionSummary(), r.failureReason(),
				r.progress(), r.createdAt(), r.endedAt(), steps,
				(r.details() != null) ? Json.MAPPER.readTree(r.details()) : null);
	}

}

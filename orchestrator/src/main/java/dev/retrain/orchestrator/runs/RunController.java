package dev.retrain.orchestrator.runs;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunNotFound;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.RunRejected;
import dev.retrain.models.json.Json;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * Run history: one run with its steps and reports, recent runs, and restarting a failed
 * run.
 */
@RestController
@Tag(name = "runs")
@RequestMapping("/api/runs")
public class RunController {

	private final RunRecords runs;

	private final JobRepository jobs;

	private final RunLauncher launcher;

	private final AuditLog audit;

	RunController(RunRecords runs, JobRepository jobs, RunLauncher launcher, AuditLog audit) {
		this.audit = audit;
		this.runs = runs;
		this.jobs = jobs;
		this.launcher = launcher;
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

	@GetMapping("/{id}")
	@Operation(summary = "A run: status, steps with timings, metrics, decision, failure reason")
	public RunView get(@PathVariable long id) {
		RunRecord r = this.runs.find(id).orElseThrow(() -> new RunNotFound(id));
		return view(r, steps(id));
	}

	/** One page of runs, newest first. */
	record RunPage(List<RunView> runs, long total, int page, int size) {
	}

	@GetMapping
	@Operation(
			summary = "Runs, newest first, filtered by pipeline, status, trigger and creation time, one page at a time")
	RunPage list(@RequestParam(required = false) String pipeline, @RequestParam(required = false) String status,
			@RequestParam(required = false) String trigger, @RequestParam(required = false) Instant from,
			@RequestParam(required = false) Instant to, @RequestParam(defaultValue = "0") int page,
			@RequestParam(defaultValue = "50") int size) {
		if (pipeline != null) {
			Names.pipeline(pipeline);
		}
		if (size < 1 || size > 500 || page < 0) {
			throw new IllegalArgumentException("size must be between 1 and 500 and page >= 0");
		}
		if (status != null && !status.matches("STARTED|COMPLETED|FAILED|STOPPED|STOPPING|ABANDONED")) {
			throw new IllegalArgumentException("status must be one of STARTED, COMPLETED, FAILED, STOPPED, ABANDONED");
		}
		if (trigger != null && !trigger.matches("schedule|drift|manual|api|data")) {
			throw new IllegalArgumentException("trigger must be one of schedule, drift, manual, api, data");
		}
		RunRecords.Page p = this.runs.search(pipeline, status, trigger, from, to, (long) page * size, size);
		return new RunPage(p.runs().stream().map(r -> view(r, null)).toList(), p.total(), page, size);
	}

	@PostMapping("/{id}/stop")
	@Operation(
			summary = "Ask a running run to stop (operator); training stops after its current epoch, keeping the checkpoint")
	public ResponseEntity<RunView> stop(@PathVariable long id) {
		RunRecord r = this.runs.find(id).orElseThrow(() -> new RunNotFound(id));
		if (!this.launcher.requestStop(id)) {
			throw new RunRejected("run " + id + " is not running (" + r.status() + ")", null);
		}
		this.audit.record(Actor.current(), "STOP_RUN", r.pipeline(), "run " + id, null);
		return ResponseEntity.accepted().body(view(this.runs.find(id).orElseThrow(), steps(id)));
	}

	@PostMapping("/{id}/restart")
	@Operation(
			summary = "Restart a failed or stopped run from the step that failed (training resumes from its checkpoint)")
	public ResponseEntity<LaunchedRun> restart(@PathVariable long id) {
		LaunchedRun run = this.launcher.restart(id);
		this.audit.record(Actor.current(), "RESTART_RUN", run.pipeline(), "run " + id, "new run " + run.runId());
		return ResponseEntity.accepted().location(URI.create("/api/runs/" + run.runId())).body(run);
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
							: firstLine(s.getExitStatus().getExitDescription())))
			.toList();
	}

	private static String firstLine(String s) {
		int nl = s.indexOf('\n');
		return (nl > 0) ? s.substring(0, nl) : s;
	}

	private static Instant instant(java.time.LocalDateTime t) {
		return (t != null) ? t.atZone(java.time.ZoneId.systemDefault()).toInstant() : null;
	}

	private static RunView view(RunRecord r, List<StepView> steps) {
		return new RunView(r.runId(), r.jobInstanceId(), r.pipeline(), r.asOf(), r.runKey(), r.trigger(), r.cause(),
				r.status(), r.requestedMode(), r.mode(), r.modeReason(), r.snapshotId(), r.rowsRead(),
				r.candidateVersion(), r.championVersion(), r.decision(), r.decisionSummary(), r.failureReason(),
				r.progress(), r.createdAt(), r.endedAt(), steps,
				(r.details() != null) ? Json.MAPPER.readTree(r.details()) : null);
	}

}

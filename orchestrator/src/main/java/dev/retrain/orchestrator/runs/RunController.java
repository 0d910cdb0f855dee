package dev.retrain.orchestrator.runs;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.RunViews;
import dev.retrain.jobs.runs.RunViews.RunView;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * Run history: one run with its steps and reports, recent runs, and restarting a failed
 * run.
 */
@RestController
@Tag(name = "runs")
@RequestMapping("/api/runs")
class RunController {

	private final RunRecords runs;

	private final RunViews views;

	private final RunLauncher launcher;

	RunController(RunRecords runs, RunViews views, RunLauncher launcher) {
		this.runs = runs;
		this.views = views;
		this.launcher = launcher;
	}

	@GetMapping("/{id}")
	@Operation(summary = "A run: status, steps with timings, metrics, decision, failure reason")
	RunView get(@PathVariable long id) {
		return this.views.get(id);
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
		return new RunPage(this.views.withoutSteps(p), p.total(), page, size);
	}

	@PostMapping("/{id}/stop")
	@Operation(
			summary = "Ask a running run to stop (operator); training stops after its current epoch, keeping the checkpoint")
	ResponseEntity<RunView> stop(@PathVariable long id) {
		this.launcher.stop(id, Actor.current());
		return ResponseEntity.accepted().body(this.views.get(id));
	}

	@PostMapping("/{id}/restart")
	@Operation(
			summary = "Restart a failed or stopped run from the step that failed (training resumes from its checkpoint)")
	ResponseEntity<LaunchedRun> restart(@PathVariable long id) {
		LaunchedRun run = this.launcher.restart(id, Actor.current());
		return ResponseEntity.accepted().location(URI.create("/api/runs/" + run.runId())).body(run);
	}

}

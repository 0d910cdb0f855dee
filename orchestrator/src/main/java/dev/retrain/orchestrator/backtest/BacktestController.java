package dev.retrain.orchestrator.backtest;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.jobs.backtest.BacktestLauncher;
import dev.retrain.jobs.backtest.BacktestLauncher.ReportFile;
import dev.retrain.jobs.backtest.BacktestViews;
import dev.retrain.jobs.backtest.BacktestViews.BacktestView;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * Backtests over REST: started, stopped and restarted by an operator, each a run of the
 * Spring Batch job {@code backtest} ({@link BacktestLauncher}) on the node's one backtest
 * thread, in sandboxes that never touch the live pipeline. The id a client sees is the
 * backtest's (table {@code backtest}), which names one job instance: it stays the same
 * when the backtest is restarted. Status and progress come from that instance's last job
 * execution; the report is under {@code <data>/backtests/<id>/}.
 */
@RestController
@Tag(name = "backtests")
class BacktestController {

	private final BacktestLauncher launcher;

	private final BacktestViews views;

	BacktestController(BacktestLauncher launcher, BacktestViews views) {
		this.launcher = launcher;
		this.views = views;
	}

	@Schema(example = "{\"pipeline\": \"weather\", \"policies\": \"period-days: 30\\nwarmup-days: 365\\npolicies:\\n  - {name: never, type: never}\\n\"}")
	record BacktestRequest(@NotBlank String pipeline, @NotBlank @Size(max = 100_000) String policies) {
	}

	@PostMapping("/api/backtests")
	@Operation(
			summary = "Start a backtest of a loaded pipeline with the given policy file (YAML text); 202 with its id")
	ResponseEntity<BacktestView> start(@Valid @RequestBody BacktestRequest r) {
		return accepted(this.launcher.start(Names.pipeline(r.pipeline()), r.policies(), Actor.current()));
	}

	@PostMapping("/api/backtests/{id}/stop")
	@Operation(summary = "Ask a running backtest to stop (operator): it stops at its policy's next progress line or "
			+ "between policies; restart it to go on")
	ResponseEntity<BacktestView> stop(@PathVariable long id) {
		this.launcher.stop(id, Actor.current());
		return accepted(id);
	}

	@PostMapping("/api/backtests/{id}/restart")
	@Operation(summary = "Restart a failed or stopped backtest (operator): the policies already replayed are kept, "
			+ "the others replayed; same id")
	ResponseEntity<BacktestView> restart(@PathVariable long id) {
		this.launcher.restart(id, Actor.current());
		return accepted(id);
	}

	/**
	 * A backtest in the list, with the address of its state and (once completed) report.
	 */
	record BacktestItem(long id, String pipeline, String status, Instant startedAt, Instant endedAt, String href,
			String report) {
	}

	@GetMapping("/api/backtests")
	@Operation(summary = "The newest backtests, newest first (at most limit, up to 500), of one pipeline or of all: "
			+ "id, pipeline, status, when it started and ended, and links to its state and its report")
	List<BacktestItem> list(@RequestParam(required = false) String pipeline,
			@RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit) {
		return this.views.recent((pipeline != null) ? Names.pipeline(pipeline) : null, limit)
			.stream()
			.map(b -> new BacktestItem(b.id(), b.pipeline(), b.status(), b.createdAt(), b.endedAt(),
					"/api/backtests/" + b.id(), b.hasReport() ? "/api/backtests/" + b.id() + "/report.html" : null))
			.toList();
	}

	@GetMapping("/api/backtests/{id}")
	@Operation(
			summary = "A backtest's status and progress, and once completed its summary: per policy the mean metric, "
					+ "retrains, promotions and costs, and the baselines (the periods are in report.json and periods.csv)")
	BacktestView get(@PathVariable long id) {
		return this.views.get(id);
	}

	@GetMapping(path = "/api/backtests/{id}/report.html", produces = MediaType.TEXT_HTML_VALUE)
	@Operation(summary = "The backtest's self-contained HTML report")
	String html(@PathVariable long id) throws IOException {
		return this.views.html(id);
	}

	@GetMapping(path = "/api/backtests/{id}/report.json", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The whole report: every period of every policy with its predictions, labels and drift report")
	ResponseEntity<Resource> json(@PathVariable long id) {
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_JSON)
			.body(new FileSystemResource(this.launcher.report(id, ReportFile.JSON)));
	}

	@GetMapping(path = "/api/backtests/{id}/periods.csv", produces = "text/csv")
	@Operation(summary = "The metric per period and policy, with each drift check's outcome and each retrain's reason")
	ResponseEntity<Resource> csv(@PathVariable long id) {
		return ResponseEntity.ok()
			.contentType(MediaType.parseMediaType("text/csv"))
			.body(new FileSystemResource(this.launcher.report(id, ReportFile.CSV)));
	}

	/** 202 with the backtest's state. */
	private ResponseEntity<BacktestView> accepted(long id) {
		return ResponseEntity.accepted().body(this.views.get(id));
	}

}

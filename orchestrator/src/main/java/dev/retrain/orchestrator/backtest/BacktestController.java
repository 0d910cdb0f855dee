package dev.retrain.orchestrator.backtest;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
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
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.backtest.BacktestLauncher;
import dev.retrain.jobs.backtest.BacktestLauncher.ReportFile;
import dev.retrain.jobs.backtest.BacktestStatus;
import dev.retrain.jobs.runs.RunRejected;
import dev.retrain.models.json.Json;
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
public class BacktestController {

	private final BacktestLauncher launcher;

	private final AuditLog audit;

	BacktestController(BacktestLauncher launcher, AuditLog audit) {
		this.launcher = launcher;
		this.audit = audit;
	}

	@Schema(example = "{\"pipeline\": \"weather\", \"policies\": \"period-days: 30\\nwarmup-days: 365\\npolicies:\\n  - {name: never, type: never}\\n\"}")
	public record BacktestRequest(@NotBlank String pipeline, @NotBlank @Size(max = 100_000) String policies) {
	}

	/**
	 * A backtest's state (RUNNING while queued or replaying, STOPPING, STOPPED,
	 * COMPLETED, FAILED), and its report once it completed.
	 */
	public record BacktestView(long id, String pipeline, String status, String progress, Instant createdAt,
			Instant endedAt, String failure, JsonNode report) {
	}

	@PostMapping("/api/backtests")
	@Operation(
			summary = "Start a backtest of a loaded pipeline with the given policy file (YAML text); 202 with its id")
	public ResponseEntity<BacktestView> start(@Valid @RequestBody BacktestRequest r) {
		return accepted(this.launcher.start(Names.pipeline(r.pipeline()), r.policies(), Actor.current()),
				"START_BACKTEST");
	}

	@PostMapping("/api/backtests/{id}/stop")
	@Operation(summary = "Ask a running backtest to stop (operator): it stops at its policy's next progress line or "
			+ "between policies; restart it to go on")
	public ResponseEntity<BacktestView> stop(@PathVariable long id) {
		if (!this.launcher.requestStop(id)) {
			throw new RunRejected("backtest " + id + " is not running (" + view(id).status() + ")", null);
		}
		return accepted(id, "STOP_BACKTEST");
	}

	@PostMapping("/api/backtests/{id}/restart")
	@Operation(summary = "Restart a failed or stopped backtest (operator): the policies already replayed are kept, "
			+ "the others replayed; same id")
	ResponseEntity<BacktestView> restart(@PathVariable long id) {
		this.launcher.restart(id);
		return accepted(id, "RESTART_BACKTEST");
	}

	@GetMapping("/api/backtests/{id}")
	@Operation(
			summary = "A backtest's status and progress, and once completed its summary: per policy the mean metric, "
					+ "retrains, promotions and costs, and the baselines (the periods are in report.json and periods.csv)")
	public BacktestView get(@PathVariable long id) {
		return view(id);
	}

	@GetMapping(path = "/api/backtests/{id}/report.html", produces = MediaType.TEXT_HTML_VALUE)
	@Operation(summary = "The backtest's self-contained HTML report")
	public String html(@PathVariable long id) throws IOException {
		return Files.readString(this.launcher.report(id, ReportFile.HTML));
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

	/** 202 with the backtest's state; the action is audited. */
	private ResponseEntity<BacktestView> accepted(long id, String action) {
		BacktestView view = view(id);
		this.audit.record(Actor.current(), action, view.pipeline(), "backtest " + id, null);
		return ResponseEntity.accepted().body(view);
	}

	private BacktestView view(long id) {
		BacktestStatus s = this.launcher.status(id);
		JsonNode report = null;
		if (s.reportDir() != null) {
			try {
				report = summary(Json.MAPPER.readTree(Files.readString(this.launcher.report(id, ReportFile.JSON))));
			}
			catch (IOException ex) {
				report = null;
			}
		}
		return new BacktestView(s.id(), s.pipeline(), s.status(), s.progress(), s.createdAt(), s.endedAt(), s.failure(),
				report);
	}

	/** The report without its periods: what a client polling for the result needs. */
	private static JsonNode summary(JsonNode report) {
		if (report instanceof ObjectNode o) {
			o.withArray("policies").forEach(p -> ((ObjectNode) p).remove("timeline"));
			o.withArray("baselines").forEach(b -> ((ObjectNode) b).remove("perPeriod"));
			o.put("periods", "report.json");
		}
		return report;
	}

}

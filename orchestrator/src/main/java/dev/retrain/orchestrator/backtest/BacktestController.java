package dev.retrain.orchestrator.backtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.backtest.BacktestReport;
import dev.retrain.jobs.backtest.Backtester;
import dev.retrain.jobs.backtest.PolicyFile;
import dev.retrain.jobs.backtest.ReportWriter;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineNotFound;
import dev.retrain.jobs.runs.NodeStopped;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.models.json.Json;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * Backtests as runs of their own: started over REST (operator), progress and status in
 * the database, the report under {@code <data>/backtests/<id>/}. They run in sandboxes
 * and never touch the live pipeline. One backtest at a time per node (they are CPU-bound
 * on a small machine).
 */
@RestController
public class BacktestController implements DisposableBean {

	private final PipelineCatalog catalog;

	private final RetrainProperties props;

	private final JdbcTemplate jdbc;

	private final AuditLog audit;

	private final Clock clock;

	private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
		Thread t = new Thread(r, "backtest");
		t.setDaemon(true);
		return t;
	});

	private final String node;

	BacktestController(PipelineCatalog catalog, RetrainProperties props, JdbcTemplate jdbc, AuditLog audit, Clock clock,
			PipelineLocks locks) {
		this.catalog = catalog;
		this.props = props;
		this.jdbc = jdbc;
		this.audit = audit;
		this.clock = clock;
		this.node = locks.nodeId();
	}

	/**
	 * Backtests run in this node's memory: one this node left RUNNING when it stopped
	 * will never finish, so at start-up it is marked FAILED (start it again). Other
	 * nodes' backtests are theirs to recover.
	 */
	@EventListener(ApplicationReadyEvent.class)
	public int recoverInterrupted() {
		return this.jdbc.update(
				"UPDATE backtest SET status = 'FAILED', failure = ?, ended_at = ? WHERE status = 'RUNNING' AND node = ?",
				"interrupted: node " + this.node + " stopped while the backtest was running; start it again",
				OffsetDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC), this.node);
	}

	/**
	 * A backtest left RUNNING by a node another node declared stopped is marked FAILED
	 * (start it again).
	 */
	@EventListener
	public void on(NodeStopped e) {
		this.jdbc.update(
				"UPDATE backtest SET status = 'FAILED', failure = ?, ended_at = ? WHERE status = 'RUNNING' AND node = ?",
				"interrupted: node " + e.node() + " stopped (no heartbeat since " + e.lastBeat() + "); start it again",
				OffsetDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC), e.node());
	}

	@Schema(example = "{\"pipeline\": \"weather\", \"policies\": \"period-days: 30\\nwarmup-days: 365\\npolicies:\\n  - {name: never, type: never}\\n\"}")
	record BacktestRequest(@NotBlank String pipeline, @NotBlank @Size(max = 100_000) String policies) {
	}

	/** A backtest's state, and its report once it completed. */
	record BacktestView(long id, String pipeline, String status, String progress, Instant createdAt, Instant endedAt,
			String failure, JsonNode report) {
	}

	@PostMapping("/api/backtests")
	@Operation(
			summary = "Start a backtest of a loaded pipeline with the given policy file (YAML text); 202 with its id")
	ResponseEntity<BacktestView> start(@Valid @RequestBody BacktestRequest r) {
		PipelineDefinition def = this.catalog.get(Names.pipeline(r.pipeline()));
		PolicyFile policies = PolicyFile.parse(r.policies());
		String yaml;
		try {
			yaml = Files.readString(this.catalog.directory().resolve(Path.of(def.source()).getFileName()));
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot read the pipeline file " + def.source(), ex);
		}
		// refused now (400, naming the policy and field) rather than failing after the
		// first policies ran
		new Backtester().check(policies.request(yaml, this.props.dataDir(), this.props.dataDir()));
		GeneratedKeyHolder key = new GeneratedKeyHolder();
		this.jdbc.update(c -> {
			var ps = c.prepareStatement(
					"INSERT INTO backtest (pipeline, status, requested_by, created_at, node) VALUES (?, 'RUNNING', ?, ?, ?)",
					new String[] { "id" });
			ps.setString(1, def.name());
			ps.setString(2, Actor.current());
			ps.setObject(3, OffsetDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC));
			ps.setString(4, this.node);
			return ps;
		}, key);
		long id = key.getKey().longValue();
		this.audit.record(Actor.current(), "START_BACKTEST", def.name(), "backtest " + id, null);
		Path dir = this.props.dataDir().resolve("backtests").resolve(Long.toString(id)).toAbsolutePath();
		this.executor.execute(() -> run(id, yaml, policies, dir));
		return ResponseEntity.accepted().body(view(id));
	}

	private void run(long id, String yaml, PolicyFile policies, Path dir) {
		try {
			BacktestReport report = new Backtester().run(
					policies.request(yaml, this.props.dataDir(), dir.resolve("sandboxes")),
					line -> this.jdbc.update("UPDATE backtest SET progress = ? WHERE id = ?", line, id));
			ReportWriter.write(report, dir);
			this.jdbc.update("UPDATE backtest SET status = 'COMPLETED', report_dir = ?, ended_at = ? WHERE id = ?",
					dir.toString(), OffsetDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC), id);
		}
		catch (Exception ex) {
			String why = ex.getClass().getSimpleName() + ": " + ex.getMessage();
			this.jdbc.update("UPDATE backtest SET status = 'FAILED', failure = ?, ended_at = ? WHERE id = ?",
					(why.length() > 3900) ? why.substring(0, 3900) : why,
					OffsetDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC), id);
		}
	}

	@GetMapping("/api/backtests/{id}")
	@Operation(
			summary = "A backtest's status and progress, and once completed its summary: per policy the mean metric, "
					+ "retrains, promotions and costs, and the baselines (the periods are in report.json and periods.csv)")
	BacktestView get(@PathVariable long id) {
		return view(id);
	}

	@GetMapping(path = "/api/backtests/{id}/report.html", produces = MediaType.TEXT_HTML_VALUE)
	@Operation(summary = "The backtest's self-contained HTML report")
	String html(@PathVariable long id) throws IOException {
		return Files.readString(reportDir(id).resolve("report.html"));
	}

	@GetMapping(path = "/api/backtests/{id}/report.json", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "The whole report: every period of every policy with its predictions, labels and drift report")
	ResponseEntity<Resource> json(@PathVariable long id) {
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_JSON)
			.body(new FileSystemResource(reportDir(id).resolve("report.json")));
	}

	@GetMapping(path = "/api/backtests/{id}/periods.csv", produces = "text/csv")
	@Operation(summary = "The metric per period and policy, with each drift check's outcome and each retrain's reason")
	ResponseEntity<Resource> csv(@PathVariable long id) {
		return ResponseEntity.ok()
			.contentType(MediaType.parseMediaType("text/csv"))
			.body(new FileSystemResource(reportDir(id).resolve("periods.csv")));
	}

	private Path reportDir(long id) {
		return this.jdbc.queryForList("SELECT report_dir FROM backtest WHERE id = ?", String.class, id)
			.stream()
			.filter(Objects::nonNull)
			.findFirst()
			.map(Path::of)
			.orElseThrow(() -> new PipelineNotFound("backtest " + id, "no report (yet)"));
	}

	private BacktestView view(long id) {
		return this.jdbc.query("SELECT * FROM backtest WHERE id = ?", (rs, i) -> {
			String dir = rs.getString("report_dir");
			JsonNode report = null;
			if (dir != null) {
				try {
					report = summary(Json.MAPPER.readTree(Files.readString(Path.of(dir).resolve("report.json"))));
				}
				catch (IOException ex) {
					report = null;
				}
			}
			OffsetDateTime ended = rs.getObject("ended_at", OffsetDateTime.class);
			return new BacktestView(rs.getLong("id"), rs.getString("pipeline"), rs.getString("status"),
					rs.getString("progress"), rs.getObject("created_at", OffsetDateTime.class).toInstant(),
					(ended != null) ? ended.toInstant() : null, rs.getString("failure"), report);
		}, id).stream().findFirst().orElseThrow(() -> new PipelineNotFound("backtest " + id, "no such backtest"));
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

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}

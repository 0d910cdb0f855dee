package dev.retrain.orchestrator.drift;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.drift.DriftEvent;
import dev.retrain.jobs.drift.DriftEvents;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.drift.DriftReports;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.pipeline.PipelineNotFound;
import dev.retrain.models.files.PathSegment;
import dev.retrain.orchestrator.web.Names;

/**
 * Drift checks on demand, their reports, and drift events from external monitors (with
 * Alertmanager's webhook).
 */
@RestController
@Tag(name = "drift")
class DriftController {

	private final DriftChecker checker;

	private final DriftReports reports;

	private final DriftEvents events;

	private final PipelineCatalog catalog;

	private final PipelineData data;

	DriftController(DriftChecker checker, DriftReports reports, DriftEvents events, PipelineCatalog catalog,
			PipelineData data) {
		this.checker = checker;
		this.reports = reports;
		this.events = events;
		this.catalog = catalog;
		this.data = data;
	}

	/** An on-demand check; {@code asOf} defaults to the newest partition. */
	@Schema(example = "{\"asOf\": \"2024-03-20\"}")
	record CheckRequest(LocalDate asOf) {
	}

	/**
	 * An external monitor's drift event. Re-sending the same {@code eventId} from the
	 * same source changes nothing.
	 */
	@Schema(example = "{\"pipeline\": \"sample\", \"source\": \"evidently\", \"eventId\": \"run-2024-03-20\", "
			+ "\"severity\": \"critical\", \"details\": \"share of drifted columns 0.6\", \"asOf\": \"2024-03-20\"}")
	record EventRequest(
			@NotBlank @Pattern(regexp = PathSegment.NAME_REGEX,
					message = "must match " + PathSegment.NAME_REGEX) String pipeline,
			@NotBlank @Size(max = 64) @Pattern(regexp = "[A-Za-z0-9._-]+") String source,
			@NotBlank @Size(max = 200) String eventId,
			@NotBlank @Pattern(regexp = "info|warning|critical") String severity, @Size(max = 4000) String details,
			LocalDate asOf) {
	}

	@PostMapping("/api/pipelines/{name}/drift-checks")
	@Operation(summary = "Run a drift check now against the champion; returns the report")
	DriftReport check(@PathVariable String name, @RequestBody(required = false) CheckRequest body) {
		Names.pipeline(name);
		LocalDate asOf = (body != null && body.asOf() != null) ? body.asOf()
				: this.data.newestDay(this.catalog.get(name));
		return this.checker.check(name, asOf, "api");
	}

	@GetMapping("/api/pipelines/{name}/drift")
	@Operation(summary = "The latest drift report of a pipeline")
	DriftReport latest(@PathVariable String name) {
		Names.pipeline(name);
		return this.reports.latest(name).orElseThrow(() -> new PipelineNotFound(name, "no drift report yet"));
	}

	@GetMapping("/api/pipelines/{name}/drift/history")
	@Operation(summary = "Drift reports of a pipeline, newest first")
	List<DriftReport> history(@PathVariable String name, @RequestParam(defaultValue = "30") int limit) {
		Names.pipeline(name);
		if (limit < 1 || limit > 500) {
			throw new IllegalArgumentException("limit must be between 1 and 500");
		}
		return this.reports.history(name, limit);
	}

	@GetMapping("/api/pipelines/{name}/drift-events")
	@Operation(summary = "Drift events of a pipeline (its own checks' and external monitors'), newest first, "
			+ "each with what it led to and the run it started or joined")
	List<DriftEvent> events(@PathVariable String name, @RequestParam(defaultValue = "30") int limit) {
		Names.pipeline(name);
		this.catalog.get(name);
		if (limit < 1 || limit > 500) {
			throw new IllegalArgumentException("limit must be between 1 and 500");
		}
		return this.events.recent(name, limit);
	}

	@PostMapping("/api/drift-events")
	@Operation(summary = "Submit a drift event; 202 with what it led to (STARTED_RUN, MERGED, SUPPRESSED_COOLDOWN)")
	ResponseEntity<DriftEvent> submit(@Valid @RequestBody EventRequest e) {
		this.catalog.get(e.pipeline());
		return ResponseEntity.accepted()
			.body(this.events.submit(new DriftEvents.Submission(e.pipeline(), e.source(), e.eventId(), e.severity(),
					e.details(), e.asOf())));
	}

	/**
	 * Prometheus Alertmanager's webhook payload (version 4); fields we do not use are
	 * ignored.
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	record AlertmanagerPayload(String status, List<Alert> alerts) {

		@JsonIgnoreProperties(ignoreUnknown = true)
		record Alert(String status, Map<String, String> labels, Map<String, String> annotations, String startsAt,
				String fingerprint) {
		}

	}

	@PostMapping("/api/drift-events/alertmanager")
	@Operation(summary = "Alertmanager webhook: each firing alert with a 'pipeline' label becomes a drift event")
	ResponseEntity<List<DriftEvent>> alertmanager(@RequestBody AlertmanagerPayload payload) {
		if (payload.alerts() == null) {
			throw new IllegalArgumentException("an Alertmanager payload needs 'alerts'");
		}
		List<DriftEvent> out = new ArrayList<>();
		for (AlertmanagerPayload.Alert a : payload.alerts()) {
			if (!"firing".equals(a.status()) || a.labels() == null || a.labels().get("pipeline") == null) {
				continue;
			}
			String pipeline = Names.pipeline(a.labels().get("pipeline"));
			this.catalog.get(pipeline);
			String severity = a.labels().getOrDefault("severity", "warning");
			String details = (a.annotations() != null) ? a.annotations()
				.getOrDefault("summary", a.annotations().getOrDefault("description", a.labels().get("alertname")))
					: a.labels().get("alertname");
			out.add(this.events
				.submit(new DriftEvents.Submission(pipeline, "alertmanager", a.fingerprint() + "@" + a.startsAt(),
						severity.matches("info|warning|critical") ? severity : "warning", details, null)));
		}
		return ResponseEntity.accepted().body(out);
	}

}

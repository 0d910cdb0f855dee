package dev.retrain.orchestrator.scoring;

import java.net.URI;
import java.time.LocalDate;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.scoring.ScoringLauncher;
import dev.retrain.jobs.scoring.ScoringNotFound;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * Batch scoring over REST: score a pipeline's date with the champion or a named version
 * (the Spring Batch job {@code score}), and read what became of it.
 */
@RestController
@Tag(name = "scoring")
public class ScoringController {

	private final ScoringLauncher launcher;

	private final AuditLog audit;

	ScoringController(ScoringLauncher launcher, AuditLog audit) {
		this.launcher = launcher;
		this.audit = audit;
	}

	@Schema(example = "{\"date\": \"2024-03-21\", \"version\": null, \"runKey\": null}")
	public record ScoringRequest(LocalDate date, @Min(1) Integer version,
			@Pattern(regexp = "[A-Za-z0-9._-]{1,64}") String runKey) {
	}

	@PostMapping("/api/pipelines/{name}/scorings")
	@Operation(summary = "Score a date of the pipeline's input (default: the newest day) with the champion or a named "
			+ "version; 202 with the scoring. Launching a failed scoring again restarts it; a completed one needs "
			+ "another runKey; one per pipeline and date runs at a time (409)")
	public ResponseEntity<ScoringLauncher.Scoring> launch(@PathVariable String name,
			@Valid @RequestBody(required = false) ScoringRequest request) {
		ScoringRequest r = (request != null) ? request : new ScoringRequest(null, null, null);
		ScoringLauncher.Launched launched = this.launcher.launch(Names.pipeline(name), r.date(), r.version(),
				r.runKey(), "api");
		this.audit.record(Actor.current(), "SCORE", launched.pipeline(), "scoring " + launched.id(),
				launched.date() + " with v" + launched.version());
		return ResponseEntity.accepted()
			.location(URI.create("/api/scorings/" + launched.id()))
			.body(this.launcher.find(launched.id()));
	}

	@GetMapping("/api/scorings/{id}")
	@Operation(summary = "A scoring: its date, version, status, rows scored, where the predictions are, or why it "
			+ "failed")
	public ScoringLauncher.Scoring get(@PathVariable long id) {
		ScoringLauncher.Scoring s = this.launcher.find(id);
		if (s == null) {
			throw new ScoringNotFound(id);
		}
		return s;
	}

	@GetMapping("/api/pipelines/{name}/scorings")
	@Operation(summary = "The pipeline's newest scorings, newest first")
	public List<ScoringLauncher.Scoring> list(@PathVariable String name,
			@RequestParam(defaultValue = "20") @Min(1) int limit) {
		return this.launcher.recent(Names.pipeline(name), Math.min(limit, 200));
	}

}

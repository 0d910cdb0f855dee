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

import dev.retrain.jobs.scoring.LabelJoins;
import dev.retrain.jobs.scoring.RealisedPerformance;
import dev.retrain.jobs.scoring.RealisedVersions;
import dev.retrain.jobs.scoring.ScoringLauncher;
import dev.retrain.jobs.scoring.ScoringNotFound;
import dev.retrain.models.files.PathSegment;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * Batch scoring over REST: score a pipeline's date with the champion or a named version
 * (the Spring Batch job {@code score}), and read what became of it.
 */
@RestController
@Tag(name = "scoring")
class ScoringController {

	private final ScoringLauncher launcher;

	private final LabelJoins joins;

	private final RealisedPerformance realised;

	private final RealisedVersions versions;

	ScoringController(ScoringLauncher launcher, LabelJoins joins, RealisedPerformance realised,
			RealisedVersions versions) {
		this.launcher = launcher;
		this.joins = joins;
		this.realised = realised;
		this.versions = versions;
	}

	@Schema(example = "{\"date\": \"2024-03-21\"}")
	public record JoinRequest(@jakarta.validation.constraints.NotNull LocalDate date) {
	}

	@PostMapping("/api/pipelines/{name}/label-joins")
	@Operation(summary = "Join a scored date's predictions with the labels that landed for it (labels.path) and record "
			+ "the realised metric per version; 202. Labels whose keys match no prediction fail the join, naming "
			+ "file and column")
	ResponseEntity<LabelJoins.Status> join(@PathVariable String name, @Valid @RequestBody JoinRequest request) {
		long id = this.joins.launch(Names.pipeline(name), request.date(), "api", Actor.current());
		return ResponseEntity.accepted().location(URI.create("/api/label-joins/" + id)).body(this.joins.status(id));
	}

	@GetMapping("/api/label-joins/{id}")
	@Operation(summary = "A label join: its status, the labelled rows joined, or why it failed")
	LabelJoins.Status joinStatus(@PathVariable long id) {
		try {
			return this.joins.status(id);
		}
		catch (RuntimeException ex) {
			throw new ScoringNotFound(id);
		}
	}

	@GetMapping("/api/pipelines/{name}/realised")
	@Operation(summary = "Realised production performance per day and version (from the label joins), between "
			+ "from and to (default: the last 30 days)")
	List<RealisedPerformance.Day> realised(@PathVariable String name, @RequestParam(required = false) LocalDate from,
			@RequestParam(required = false) LocalDate to) {
		LocalDate end = (to != null) ? to : LocalDate.now(java.time.ZoneOffset.UTC);
		return this.realised.between(Names.pipeline(name), (from != null) ? from : end.minusDays(29), end);
	}

	@GetMapping("/api/pipelines/{name}/realised/versions")
	@Operation(summary = "The realised metric of every version each day was scored with (from the label joins), "
			+ "between from and to (default: the last 30 days): the version served (SERVED), each committee member "
			+ "(MEMBER, with the loss that moved the weights) and each shadow of scoring.shadow (SHADOW, with the "
			+ "served version it was compared with, the difference, whether it won the day and why)")
	List<RealisedVersions.Row> realisedVersions(@PathVariable String name,
			@RequestParam(required = false) LocalDate from, @RequestParam(required = false) LocalDate to) {
		LocalDate end = (to != null) ? to : LocalDate.now(java.time.ZoneOffset.UTC);
		return this.versions.between(Names.pipeline(name), (from != null) ? from : end.minusDays(29), end);
	}

	@Schema(example = "{\"date\": \"2024-03-21\", \"version\": null, \"runKey\": null}")
	public record ScoringRequest(LocalDate date, @Min(1) Integer version,
			@Pattern(regexp = PathSegment.KEY_REGEX, message = "must match " + PathSegment.KEY_REGEX) String runKey) {
	}

	@PostMapping("/api/pipelines/{name}/scorings")
	@Operation(summary = "Score a date of the pipeline's input (default: the newest day) with the champion or a named "
			+ "version; 202 with the scoring. Launching a failed scoring again restarts it; a completed one needs "
			+ "another runKey; one per pipeline and date runs at a time (409)")
	ResponseEntity<ScoringLauncher.Scoring> launch(@PathVariable String name,
			@Valid @RequestBody(required = false) ScoringRequest request) {
		ScoringRequest r = (request != null) ? request : new ScoringRequest(null, null, null);
		ScoringLauncher.Launched launched = this.launcher.launch(Names.pipeline(name), r.date(), r.version(),
				r.runKey(), "api", Actor.current());
		return ResponseEntity.accepted()
			.location(URI.create("/api/scorings/" + launched.id()))
			.body(this.launcher.find(launched.id()));
	}

	@GetMapping("/api/scorings/{id}")
	@Operation(summary = "A scoring: its date, version, status, rows scored, where the predictions are, or why it "
			+ "failed")
	ScoringLauncher.Scoring get(@PathVariable long id) {
		ScoringLauncher.Scoring s = this.launcher.find(id);
		if (s == null) {
			throw new ScoringNotFound(id);
		}
		return s;
	}

	@GetMapping("/api/pipelines/{name}/scorings")
	@Operation(summary = "The pipeline's newest scorings, newest first")
	List<ScoringLauncher.Scoring> list(@PathVariable String name,
			@RequestParam(defaultValue = "20") @Min(1) int limit) {
		return this.launcher.recent(Names.pipeline(name), Math.min(limit, 200));
	}

}

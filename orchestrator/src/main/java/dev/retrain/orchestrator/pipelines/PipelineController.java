package dev.retrain.orchestrator.pipelines;

import java.net.URI;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.files.PathSegment;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * Pipelines as loaded from the configuration directory, their dry-run validation, and
 * manual launches.
 */
@RestController
@Tag(name = "pipelines")
@RequestMapping("/api/pipelines")
class PipelineController {

	private final PipelineCatalog catalog;

	private final ModelRegistry registry;

	private final RunLauncher launcher;

	private final PipelineReload reload;

	PipelineController(PipelineCatalog catalog, ModelRegistry registry, RunLauncher launcher, PipelineReload reload) {
		this.reload = reload;
		this.catalog = catalog;
		this.registry = registry;
		this.launcher = launcher;
	}

	/** A pipeline as listed, with its current champion. */
	record PipelineSummary(String name, String description, String source, String configHash, String task, String mode,
			Integer champion) {
	}

	/** The loaded pipelines, and the files that failed to load with why. */
	record PipelineList(List<PipelineSummary> pipelines, List<String> loadErrors) {
	}

	/** A manual launch: every field is optional. */
	@Schema(example = "{\"asOf\": \"2024-03-20\", \"mode\": \"finetune\", \"runKey\": \"rerun-2\", \"cause\": \"new labels arrived\"}")
	record LaunchRequest(LocalDate asOf,
			@Pattern(regexp = "retrain|finetune", message = "must be retrain or finetune") String mode,
			@Pattern(regexp = PathSegment.KEY_REGEX, message = "must match " + PathSegment.KEY_REGEX) String runKey,
			@Size(max = 1000) String cause) {
	}

	@GetMapping
	@Operation(summary = "List loaded pipelines and files that failed to load")
	PipelineList list() {
		return new PipelineList(this.catalog.all()
			.stream()
			.map(d -> new PipelineSummary(d.name(), d.description(), d.source(), d.configHash(),
					d.task().name().toLowerCase(Locale.ROOT), d.mode().name().toLowerCase(Locale.ROOT),
					this.registry.champion(d.name()).orElse(null)))
			.toList(), this.catalog.state().errors().stream().map(Throwable::getMessage).toList());
	}

	@GetMapping("/{name}")
	@Operation(summary = "A pipeline's effective configuration, defaults filled in")
	PipelineDefinition get(@PathVariable String name) {
		return this.catalog.get(Names.pipeline(name));
	}

	@PostMapping(path = "/validate",
			consumes = { "application/yaml", "application/x-yaml", MediaType.TEXT_PLAIN_VALUE })
	@Operation(summary = "Check a pipeline YAML without loading it (dry run); 422 lists every bad field")
	PipelineDefinition validate(@RequestBody String yaml) {
		return this.catalog.validate(yaml, "request body");
	}

	@PostMapping("/{name}/runs")
	@Tag(name = "runs")
	@Operation(summary = "Launch a retrain run; 202 with the run id, 409 if the pipeline already has one running")
	ResponseEntity<LaunchedRun> launch(@PathVariable String name,
			@Valid @RequestBody(required = false) LaunchRequest body) {
		LaunchRequest req = (body != null) ? body : new LaunchRequest(null, null, null, null);
		LaunchedRun run = this.launcher.launch(new RunLauncher.Request(Names.pipeline(name), req.asOf(), req.runKey(),
				(req.mode() != null) ? Mode.valueOf(req.mode().toUpperCase(Locale.ROOT)) : null, Trigger.MANUAL,
				(req.cause() != null) ? req.cause() : "manual launch over REST"), Actor.current());
		return ResponseEntity.accepted().location(URI.create("/api/runs/" + run.runId())).body(run);
	}

	@PostMapping("/reload")
	@Operation(summary = "Reload the pipeline files (admin) and reconcile their schedules")
	PipelineReload.ReloadResult reload() {
		return this.reload.reload(Actor.current());
	}

}

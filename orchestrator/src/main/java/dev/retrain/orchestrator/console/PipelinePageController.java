package dev.retrain.orchestrator.console;

import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.jobs.scoring.RealisedVersions;
import dev.retrain.orchestrator.scheduling.Schedules;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * A pipeline's page: its champion, its versions and its runs a page at a time (newest
 * first), its newest champion moves, the champion against its shadow versions on realised
 * metrics (the newest labelled days), its schedules and its file; launching a run and
 * pausing, resuming or firing a schedule.
 */
@Controller
class PipelinePageController {

	private static final int RUNS_PER_PAGE = 20;

	private static final int VERSIONS_PER_PAGE = 20;

	/** The days of the champion against its shadows shown: the newest. */
	private static final int SHADOW_DAYS = 14;

	/** The champion moves shown: the newest. */
	private static final int HISTORY = 20;

	private final PipelineCatalog catalog;

	private final ModelRegistry registry;

	private final RunRecords runs;

	private final RunLauncher launcher;

	private final Schedules schedules;

	private final ConsoleActions actions;

	private final RealisedVersions realised;

	PipelinePageController(PipelineCatalog catalog, ModelRegistry registry, RunRecords runs, RunLauncher launcher,
			Schedules schedules, ConsoleActions actions, RealisedVersions realised) {
		this.catalog = catalog;
		this.registry = registry;
		this.runs = runs;
		this.launcher = launcher;
		this.schedules = schedules;
		this.actions = actions;
		this.realised = realised;
	}

	@GetMapping("/console/pipelines/{name}")
	String pipeline(@PathVariable String name, @RequestParam(defaultValue = "0") int page,
			@RequestParam(name = "versions", defaultValue = "0") int versionPage, Model model) throws Exception {
		PipelineDefinition def = this.catalog.get(name);
		model.addAttribute("pipeline", def);
		model.addAttribute("config", this.catalog.sourceText(def).orElse(null));
		model.addAttribute("champion", this.registry.champion(name).orElse(null));
		// a page of versions and the newest champion moves: a year of daily retrains is
		// hundreds of each, and all of them made the page take a second
		long versionCount = this.registry.versionCount(name);
		int versionPages = (int) Math.max(1, (versionCount + VERSIONS_PER_PAGE - 1) / VERSIONS_PER_PAGE);
		int vp = Math.min(Math.max(0, versionPage), versionPages - 1);
		model.addAttribute("versions", this.registry.versions(name, (long) vp * VERSIONS_PER_PAGE, VERSIONS_PER_PAGE));
		model.addAttribute("versionPage", vp);
		model.addAttribute("versionPages", versionPages);
		model.addAttribute("versionCount", versionCount);
		model.addAttribute("history", this.registry.history(name, HISTORY));
		model.addAttribute("historyCount", this.registry.historyCount(name));
		int size = RUNS_PER_PAGE;
		RunRecords.Page runs = this.runs.search(name, null, null, null, null, (long) Math.max(0, page) * size, size);
		model.addAttribute("runs", runs.runs());
		Map<Long, String> durations = new HashMap<>();
		runs.runs()
			.stream()
			.filter(r -> r.endedAt() != null)
			.forEach(r -> durations.put(r.runId(), Duration.between(r.createdAt(), r.endedAt()).toSeconds() + " s"));
		model.addAttribute("durations", durations);
		model.addAttribute("runPage", Math.max(0, page));
		model.addAttribute("runPages", Math.max(1, (runs.total() + size - 1) / size));
		model.addAttribute("schedules", this.schedules.forPipeline(name));
		// the champion against its shadows on realised metrics: the newest labelled days
		// (read by the newest day with a row, so an old pipeline's board is not empty)
		model.addAttribute("shadowBoard", shadowBoard(name));
		return "console/pipeline";
	}

	/** The newest {@value #SHADOW_DAYS} days of realised rows with shadows, or null. */
	private ShadowBoard shadowBoard(String pipeline) {
		LocalDate newest = this.realised.newestDay(pipeline);
		if (newest == null) {
			return null;
		}
		return ShadowBoard.of(this.realised.between(pipeline, newest.minusDays(SHADOW_DAYS - 1), newest));
	}

	@PostMapping("/console/pipelines/{name}/runs")
	String launch(@PathVariable String name, @RequestParam(required = false) String asOf,
			@RequestParam(required = false) String mode, RedirectAttributes flash) {
		return this.actions.act(flash, "/console/pipelines/" + name,
				() -> "/console/runs/" + this.launcher
					.launch(new RunLauncher.Request(Names.pipeline(name), ConsoleActions.date("as-of date", asOf), null,
							mode(mode), Trigger.MANUAL, "launched from the console"), Actor.current())
					.runId());
	}

	/** The mode a launch asks for: blank for the pipeline's own, retrain or finetune. */
	private static Mode mode(String mode) {
		if (mode == null || mode.isBlank()) {
			return null;
		}
		return switch (mode) {
			case "retrain" -> Mode.RETRAIN;
			case "finetune" -> Mode.FINETUNE;
			default -> throw new IllegalArgumentException("mode must be retrain or finetune, not '" + mode + "'");
		};
	}

	@PostMapping("/console/schedules/{kind}/{pipeline}/{action}")
	String schedule(@PathVariable String kind, @PathVariable String pipeline, @PathVariable String action,
			RedirectAttributes flash) {
		String back = "/console/pipelines/" + pipeline;
		return this.actions.act(flash, back, () -> {
			switch (action) {
				case "pause" -> this.schedules.pause(kind, pipeline, Actor.current());
				case "resume" -> this.schedules.resume(kind, pipeline, Actor.current());
				case "trigger" -> this.schedules.trigger(kind, pipeline, Actor.current());
				default -> throw new IllegalArgumentException("unknown schedule action '" + action + "'");
			}
			return back;
		});
	}

}

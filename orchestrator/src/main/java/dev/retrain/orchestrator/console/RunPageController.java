package dev.retrain.orchestrator.console;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunViews;
import dev.retrain.jobs.runs.RunViews.RunView;
import dev.retrain.models.json.Json;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.EpochStats;
import dev.retrain.orchestrator.web.Actor;

/**
 * A run's page: its state (the live part, polled while the run has not ended), its
 * training curve and its evaluation; stopping and restarting it.
 */
@Controller
class RunPageController {

	private final RunViews runs;

	private final RunLauncher launcher;

	private final PipelineCatalog catalog;

	private final ModelStore store;

	private final ConsoleActions actions;

	RunPageController(RunViews runs, RunLauncher launcher, PipelineCatalog catalog, ModelStore store,
			ConsoleActions actions) {
		this.runs = runs;
		this.launcher = launcher;
		this.catalog = catalog;
		this.store = store;
		this.actions = actions;
	}

	@GetMapping("/console/runs/{id}")
	String run(@PathVariable long id, Model model) {
		runModel(id, model);
		return "console/run";
	}

	/** The live part of the run page, polled by htmx while the run has not ended. */
	@GetMapping("/console/runs/{id}/live")
	String runLive(@PathVariable long id, Model model) {
		runModel(id, model);
		return "console/run :: live";
	}

	@PostMapping("/console/runs/{id}/stop")
	String stop(@PathVariable long id, RedirectAttributes flash) {
		return this.actions.act(flash, "/console/runs/" + id, () -> {
			this.launcher.stop(id, Actor.current());
			return "/console/runs/" + id;
		});
	}

	@PostMapping("/console/runs/{id}/restart")
	String restart(@PathVariable long id, RedirectAttributes flash) {
		return this.actions.act(flash, "/console/runs/" + id,
				() -> "/console/runs/" + this.launcher.restart(id, Actor.current()).runId());
	}

	/** What the run page and its live part show: the run, and its curve once trained. */
	private void runModel(long id, Model model) {
		RunView run = this.runs.get(id);
		Curve curve = curve(run);
		model.addAttribute("run", run);
		model.addAttribute("curve", curve);
		model.addAttribute("curveJson", curveJson(curve.points()));
		model.addAttribute("validation", RunValidation.from(run.details()));
		model.addAttribute("advice", FailureAdvice.of(run.status(), run.failureReason(), run.asOf()));
		model.addAttribute("evaluation",
				RunEvaluation.from(run.details(),
						Optional.ofNullable(this.catalog.state().pipelines().get(run.pipeline()))
							.map(d -> d.promotion().metric().key())
							.orElse(null)));
	}

	/**
	 * A training curve: its points, the epoch whose parameters were kept (null while
	 * training without a validation loss), and whether it is still growing.
	 */
	record Curve(List<EpochStats> points, Integer keptEpoch, boolean live, Integer totalEpochs) {

		public boolean isEmpty() {
			return this.points.isEmpty();
		}

		public boolean hasValidation() {
			return this.points.stream().anyMatch(p -> Double.isFinite(p.validationLoss()));
		}

	}

	/**
	 * The run's training curve: the registered candidate's; else the one recorded when
	 * training ended; else, while it trains, the epochs recorded so far (the best
	 * validation loss so far marked).
	 */
	private Curve curve(RunView run) {
		if (run.candidateVersion() != null) {
			try {
				ArtifactMetadata m = this.store.metadata(run.pipeline(), run.candidateVersion());
				if (m.training() != null && m.training().curve() != null) {
					return new Curve(m.training().curve(), m.training().bestEpoch(), false, null);
				}
			}
			catch (RuntimeException ex) {
				// no metadata to read: the run's details may still have the curve
			}
		}
		JsonNode details = run.details();
		if (details == null) {
			return new Curve(List.of(), null, false, null);
		}
		JsonNode trained = details.path("training");
		if (trained.path("curve").isArray()) {
			return new Curve(points(trained.path("curve")), trained.path("bestEpoch").asInt(), false, null);
		}
		JsonNode growing = details.path(RunViews.TRAINING_PROGRESS);
		List<EpochStats> points = points(growing.path("curve"));
		Integer best = points.stream()
			.filter(p -> Double.isFinite(p.validationLoss()))
			.min(Comparator.comparingDouble(EpochStats::validationLoss))
			.map(EpochStats::epoch)
			.orElse(null);
		return new Curve(points, best, run.endedAt() == null && !points.isEmpty(),
				growing.path("totalEpochs").isNumber() ? growing.path("totalEpochs").asInt() : null);
	}

	private static List<EpochStats> points(JsonNode curve) {
		List<EpochStats> points = new ArrayList<>();
		for (JsonNode p : curve) {
			points.add(new EpochStats(p.path("epoch").asInt(), number(p.path("trainLoss")),
					number(p.path("validationLoss")), p.path("millis").asLong()));
		}
		return points;
	}

	/** A loss as recorded: a number, or NaN (written as a string, or missing). */
	private static double number(JsonNode n) {
		return n.isNumber() ? n.asDouble() : Double.NaN;
	}

	/**
	 * The curve for the browser, with a missing validation loss as null (JSON has no
	 * NaN).
	 */
	private static String curveJson(List<EpochStats> curve) {
		List<Map<String, Object>> points = new ArrayList<>();
		for (EpochStats e : curve) {
			Map<String, Object> p = new HashMap<>();
			p.put("epoch", e.epoch());
			p.put("trainLoss", Double.isFinite(e.trainLoss()) ? e.trainLoss() : null);
			p.put("validationLoss", Double.isFinite(e.validationLoss()) ? e.validationLoss() : null);
			points.add(p);
		}
		return Json.MAPPER.writeValueAsString(points);
	}

}

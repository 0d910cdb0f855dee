package dev.retrain.orchestrator.console;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.registry.PromotionConflict;
import dev.retrain.jobs.registry.RegistryOperations;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.json.Json;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.EpochStats;
import dev.retrain.orchestrator.audit.AuditController;
import dev.retrain.orchestrator.backtest.BacktestController;
import dev.retrain.orchestrator.drift.DriftController;
import dev.retrain.orchestrator.pipelines.PipelineController;
import dev.retrain.orchestrator.runs.RunController;
import dev.retrain.orchestrator.scheduling.ScheduleController;
import dev.retrain.orchestrator.web.Actor;

/**
 * The web console at {@code /console}: server-rendered pages over the services the REST
 * API uses (its controllers and the registry operations), so that a page and an API
 * answer cannot disagree. Actions are forms with a CSRF token; each needs the role its
 * API operation needs, and a page shows only the actions its viewer's role allows.
 */
@Controller
class ConsoleController {

	private static final Logger log = LoggerFactory.getLogger(ConsoleController.class);

	private final Overview overview;

	private final PipelineCatalog catalog;

	private final ModelRegistry registry;

	private final RegistryOperations operations;

	private final ModelStore store;

	private final RunRecords runs;

	private final RunController runApi;

	private final PipelineController pipelineApi;

	private final ScheduleController scheduleApi;

	private final DriftController driftApi;

	private final AuditController auditApi;

	private final BacktestController backtestApi;

	private final RoleHierarchy roles;

	private final FailureText text;

	ConsoleController(Overview overview, PipelineCatalog catalog, ModelRegistry registry, RegistryOperations operations,
			ModelStore store, RunRecords runs, RunController runApi, PipelineController pipelineApi,
			ScheduleController scheduleApi, DriftController driftApi, AuditController auditApi,
			BacktestController backtestApi, RoleHierarchy roles, FailureText text) {
		this.text = text;
		this.overview = overview;
		this.catalog = catalog;
		this.registry = registry;
		this.operations = operations;
		this.store = store;
		this.runs = runs;
		this.runApi = runApi;
		this.pipelineApi = pipelineApi;
		this.scheduleApi = scheduleApi;
		this.driftApi = driftApi;
		this.auditApi = auditApi;
		this.backtestApi = backtestApi;
		this.roles = roles;
	}

	/** What the signed-in user may do: pages show no action beyond it. */
	@ModelAttribute
	void user(Model model, Authentication auth) {
		if (auth == null) {
			return;
		}
		Collection<? extends GrantedAuthority> all = this.roles.getReachableGrantedAuthorities(auth.getAuthorities());
		model.addAttribute("userName", auth.getName());
		model.addAttribute("canOperate", all.stream().anyMatch(a -> a.getAuthority().equals("ROLE_OPERATOR")));
		model.addAttribute("canAdmin", all.stream().anyMatch(a -> a.getAuthority().equals("ROLE_ADMIN")));
	}

	@GetMapping("/login")
	String login() {
		return "console/login";
	}

	/**
	 * The login page again for a sign-in the login throttle refused (it answers 429 with
	 * Retry-After and forwards here): it says when to try again.
	 */
	@RequestMapping("/login/throttled")
	String loginThrottled(HttpServletResponse response, Model model) {
		String retryAfter = response.getHeader("Retry-After");
		if (retryAfter == null) {
			return "redirect:/login";
		}
		response.setStatus(429);
		model.addAttribute("retryAfter", retryAfter);
		return "console/login";
	}

	@GetMapping({ "/", "/console" })
	String overview(@RequestParam(required = false) String q, @RequestParam(required = false) String sort,
			@RequestParam(defaultValue = "0") int page, Model model) {
		model.addAttribute("view", this.overview.page(q, sort, page));
		model.addAttribute("loadErrors", this.catalog.state().errors().stream().map(Throwable::getMessage).toList());
		return "console/overview";
	}

	@GetMapping("/console/pipelines/{name}")
	String pipeline(@PathVariable String name, @RequestParam(defaultValue = "0") int page, Model model)
			throws Exception {
		PipelineDefinition def = this.catalog.get(name);
		model.addAttribute("pipeline", def);
		model.addAttribute("config", config(def));
		model.addAttribute("champion", this.registry.champion(name).orElse(null));
		List<ModelVersion> versions = new ArrayList<>(this.registry.versions(name));
		java.util.Collections.reverse(versions);
		model.addAttribute("versions", versions);
		model.addAttribute("history", this.registry.history(name));
		int size = 20;
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
		model.addAttribute("schedules", this.scheduleApi.forPipeline(name));
		return "console/pipeline";
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

	/** What the run page and its live part show: the run, and its curve once trained. */
	private void runModel(long id, Model model) {
		RunController.RunView run = this.runApi.get(id);
		List<EpochStats> curve = curve(run);
		model.addAttribute("run", run);
		model.addAttribute("curve", curve);
		model.addAttribute("curveJson", curveJson(curve));
		model.addAttribute("evaluation",
				RunEvaluation.from(run.details(),
						Optional.ofNullable(this.catalog.state().pipelines().get(run.pipeline()))
							.map(d -> d.promotion().metric().key())
							.orElse(null)));
	}

	@GetMapping("/console/models/{name}/versions/{version}")
	String version(@PathVariable String name, @PathVariable int version,
			@RequestParam(required = false) Integer compare, Model model) {
		this.catalog.get(name);
		ModelVersion v = this.registry.version(name, version)
			.orElseThrow(() -> new IllegalArgumentException("pipeline '" + name + "' has no version " + version));
		model.addAttribute("pipeline", name);
		model.addAttribute("v", v);
		model.addAttribute("metadata", metadata(name, version).orElse(null));
		model.addAttribute("champion", this.registry.champion(name).orElse(null));
		model.addAttribute("previous", this.registry.alias(name, ModelRegistry.PREVIOUS).orElse(null));
		model.addAttribute("others", this.registry.versions(name).stream().map(ModelVersion::version).toList());
		if (compare != null) {
			model.addAttribute("other", this.registry.version(name, compare).orElse(null));
			model.addAttribute("otherMetadata", metadata(name, compare).orElse(null));
		}
		return "console/version";
	}

	@GetMapping("/console/drift/{name}")
	String drift(@PathVariable String name, Model model) {
		this.catalog.get(name);
		List<DriftReport> history = this.driftApi.history(name, 30);
		model.addAttribute("pipeline", name);
		model.addAttribute("report", history.isEmpty() ? null : history.get(0));
		model.addAttribute("history", history);
		model.addAttribute("events", this.driftApi.events(name, 30));
		Map<String, String> histograms = new HashMap<>();
		Map<String, String> trends = new HashMap<>();
		if (!history.isEmpty()) {
			for (DriftReport.FeatureDrift f : history.get(0).features()) {
				histograms.put(f.feature(), Svg.histogram(f.histogram(), f.drifted(), 240, 48));
				List<Double> ratios = new ArrayList<>();
				for (int i = history.size() - 1; i >= 0; i--) {
					history.get(i)
						.features()
						.stream()
						.filter(g -> g.feature().equals(f.feature()) && g.threshold() > 0)
						.findFirst()
						.ifPresent(g -> ratios.add(g.statistic() / g.threshold()));
				}
				trends.put(f.feature(), Svg.againstThreshold(ratios, 160, 32));
			}
			DriftReport.PredictionDrift p = history.get(0).prediction();
			model.addAttribute("scoreHistogram", (p != null) ? Svg.histogram(p.scores(), p.drifted(), 360, 72) : "");
			model.addAttribute("classifier", p != null && !Double.isNaN(p.meanConfidence()));
		}
		model.addAttribute("histograms", histograms);
		model.addAttribute("trends", trends);
		return "console/drift";
	}

	@GetMapping("/console/audit")
	String audit(@RequestParam(required = false) String pipeline, @RequestParam(required = false) String action,
			Model model) {
		model.addAttribute("entries", this.auditApi.query(blankToNull(pipeline), blankToNull(action), 200));
		model.addAttribute("pipeline", pipeline);
		model.addAttribute("action", action);
		return "console/audit";
	}

	@GetMapping("/console/backtests")
	String backtests(Model model) {
		model.addAttribute("pipelines", this.catalog.all().stream().map(PipelineDefinition::name).toList());
		return "console/backtests";
	}

	@GetMapping("/console/backtests/{id}")
	String backtest(@PathVariable long id, Model model) {
		model.addAttribute("b", this.backtestApi.get(id));
		return "console/backtest";
	}

	/** The live part of a backtest's page, polled by htmx while it runs. */
	@GetMapping("/console/backtests/{id}/live")
	String backtestLive(@PathVariable long id, Model model) {
		model.addAttribute("b", this.backtestApi.get(id));
		return "console/backtest :: live";
	}

	/** The backtest's own report.html, shown in a frame of its page. */
	@GetMapping(path = "/console/backtests/{id}/report", produces = "text/html")
	@ResponseBody
	String backtestReport(@PathVariable long id) throws java.io.IOException {
		return this.backtestApi.html(id);
	}

	/**
	 * Starts a backtest; a policy file the API refuses comes back with every problem by
	 * field, and the text as it was typed.
	 */
	@PostMapping("/console/backtests")
	String startBacktest(@RequestParam String pipeline, @RequestParam String policies, RedirectAttributes flash) {
		flash.addFlashAttribute("policies", policies);
		flash.addFlashAttribute("pipeline", pipeline);
		return act(flash, "/console/backtests", () -> "/console/backtests/"
				+ this.backtestApi.start(new BacktestController.BacktestRequest(pipeline, policies)).getBody().id());
	}

	@PostMapping("/console/backtests/{id}/stop")
	String stopBacktest(@PathVariable long id, RedirectAttributes flash) {
		return act(flash, "/console/backtests/" + id, () -> {
			this.backtestApi.stop(id);
			return "/console/backtests/" + id;
		});
	}

	// ---- actions: the same operations as the API, then back to the page with the
	// outcome

	@PostMapping("/console/pipelines/{name}/runs")
	String launch(@PathVariable String name, RedirectAttributes flash) {
		return act(flash, "/console/pipelines/" + name,
				() -> "/console/runs/" + this.pipelineApi
					.launch(name, new PipelineController.LaunchRequest(null, null, null, "launched from the console"))
					.getBody()
					.runId());
	}

	@PostMapping("/console/runs/{id}/stop")
	String stop(@PathVariable long id, RedirectAttributes flash) {
		return act(flash, "/console/runs/" + id, () -> {
			this.runApi.stop(id);
			return "/console/runs/" + id;
		});
	}

	@PostMapping("/console/runs/{id}/restart")
	String restart(@PathVariable long id, RedirectAttributes flash) {
		return act(flash, "/console/runs/" + id, () -> "/console/runs/" + this.runApi.restart(id).getBody().runId());
	}

	@PostMapping("/console/schedules/{kind}/{pipeline}/{action}")
	String schedule(@PathVariable String kind, @PathVariable String pipeline, @PathVariable String action,
			RedirectAttributes flash) {
		String back = "/console/pipelines/" + pipeline;
		return act(flash, back, () -> {
			switch (action) {
				case "pause" -> this.scheduleApi.pause(kind, pipeline);
				case "resume" -> this.scheduleApi.resume(kind, pipeline);
				case "trigger" -> this.scheduleApi.trigger(kind, pipeline);
				default -> throw new IllegalArgumentException("unknown schedule action '" + action + "'");
			}
			return back;
		});
	}

	@PostMapping("/console/models/{name}/promote")
	String promote(@PathVariable String name, @RequestParam int version,
			@RequestParam(required = false) Integer expectedChampion, @RequestParam String reason,
			RedirectAttributes flash) {
		String back = "/console/models/" + name + "/versions/" + version;
		return act(flash, back, () -> {
			this.operations.promote(name, version, expectedChampion, Actor.current(), required(reason), false);
			flash.addFlashAttribute("notice", "version " + version + " is now champion");
			return back;
		});
	}

	@PostMapping("/console/models/{name}/rollback")
	String rollback(@PathVariable String name, @RequestParam int version,
			@RequestParam(required = false) Integer expectedChampion, @RequestParam String reason,
			RedirectAttributes flash) {
		String back = "/console/models/" + name + "/versions/" + version;
		return act(flash, back, () -> {
			ModelVersion now = this.operations.rollback(name, expectedChampion, Actor.current(), required(reason));
			flash.addFlashAttribute("notice", "rolled back: version " + now.version() + " is champion again");
			return "/console/models/" + name + "/versions/" + now.version();
		});
	}

	@PostMapping("/console/models/{name}/versions/{version}/{verdict}")
	String review(@PathVariable String name, @PathVariable int version, @PathVariable String verdict,
			@RequestParam(required = false) Integer expectedChampion, @RequestParam String reason,
			RedirectAttributes flash) {
		String back = "/console/models/" + name + "/versions/" + version;
		return act(flash, back, () -> {
			switch (verdict) {
				case "approve" ->
					this.operations.approve(name, version, expectedChampion, Actor.current(), required(reason));
				case "reject" -> this.operations.reject(name, version, Actor.current(), required(reason));
				default -> throw new IllegalArgumentException("unknown review '" + verdict + "'");
			}
			flash.addFlashAttribute("notice", "version " + version + ": " + verdict + "d");
			return back;
		});
	}

	interface Action {

		String run() throws Exception;

	}

	/**
	 * Runs an action; redirects where it says, or back with its refusal explained (a
	 * stale page's compare-and-set conflict says what changed).
	 */
	private String act(RedirectAttributes flash, String back, Action action) {
		try {
			return "redirect:" + action.run();
		}
		catch (PromotionConflict ex) {
			flash.addFlashAttribute("error",
					"Refused (409): " + this.text.of(ex.getMessage())
							+ ". Someone changed the champion after this page was loaded; nothing was changed. "
							+ "The page now shows the current state: check it and decide again.");
			return "redirect:" + back;
		}
		catch (Exception ex) {
			if (!ex.getClass().getName().startsWith("dev.retrain.") && !(ex instanceof IllegalArgumentException)) {
				log.error("console action failed", ex);
				flash.addFlashAttribute("error",
						"Failed: an unexpected error occurred; the server log has the details");
			}
			else {
				flash.addFlashAttribute("error", "Refused: " + this.text.of(ex.getMessage()));
			}
			return "redirect:" + back;
		}
	}

	private static String required(String reason) {
		if (reason == null || reason.isBlank()) {
			throw new IllegalArgumentException("a reason is required");
		}
		return reason.strip();
	}

	private static String blankToNull(String s) {
		return (s == null || s.isBlank()) ? null : s;
	}

	private Optional<ArtifactMetadata> metadata(String name, int version) {
		try {
			return Optional.of(this.store.metadata(name, version));
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}

	/** The training curve of the run's candidate, once registered. */
	private List<EpochStats> curve(RunController.RunView run) {
		if (run.candidateVersion() == null) {
			return List.of();
		}
		return metadata(run.pipeline(), run.candidateVersion())
			.filter(m -> m.training() != null && m.training().curve() != null)
			.map(m -> m.training().curve())
			.orElse(List.of());
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

	private String config(PipelineDefinition def) {
		return this.catalog.sourceText(def).orElse(null);
	}

	static List<String> metricNames(Map<String, Map<String, Double>> metrics) {
		List<String> out = new ArrayList<>();
		if (metrics != null) {
			metrics.values().forEach(m -> m.keySet().stream().filter(k -> !out.contains(k)).forEach(out::add));
		}
		return out;
	}

}

package dev.retrain.orchestrator.console;

import java.io.IOException;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.retrain.jobs.backtest.BacktestLauncher;
import dev.retrain.jobs.backtest.BacktestViews;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * The backtests' pages: the form that starts one, and a backtest's own page (its
 * progress, polled while it runs, and its report in a frame); stopping it.
 */
@Controller
class BacktestPagesController {

	/**
	 * The policy file the form starts with: weekly periods after a month of warm-up, a
	 * policy that never retrains against one that retrains every Monday.
	 */
	static final String DEFAULT_POLICIES = """
			period-days: 7
			warmup-days: 30
			policies:
			  - {name: never, type: never}
			  - {name: weekly, type: schedule, cron: "0 0 2 ? * MON"}
			""";

	private final PipelineCatalog catalog;

	private final BacktestLauncher launcher;

	private final BacktestViews backtests;

	private final ConsoleActions actions;

	BacktestPagesController(PipelineCatalog catalog, BacktestLauncher launcher, BacktestViews backtests,
			ConsoleActions actions) {
		this.catalog = catalog;
		this.launcher = launcher;
		this.backtests = backtests;
		this.actions = actions;
	}

	@GetMapping("/console/backtests")
	String backtests(Model model) {
		model.addAttribute("pipelines", this.catalog.all().stream().map(PipelineDefinition::name).toList());
		model.addAttribute("defaultPolicies", DEFAULT_POLICIES);
		model.addAttribute("recent", this.backtests.recent(null, 50));
		return "console/backtests";
	}

	@GetMapping("/console/backtests/{id}")
	String backtest(@PathVariable long id, Model model) {
		model.addAttribute("b", this.backtests.get(id));
		return "console/backtest";
	}

	/** The live part of a backtest's page, polled by htmx while it runs. */
	@GetMapping("/console/backtests/{id}/live")
	String backtestLive(@PathVariable long id, Model model) {
		model.addAttribute("b", this.backtests.get(id));
		return "console/backtest :: live";
	}

	/** The backtest's own report.html, shown in a frame of its page. */
	@GetMapping(path = "/console/backtests/{id}/report", produces = "text/html")
	@ResponseBody
	String backtestReport(@PathVariable long id) throws IOException {
		return this.backtests.html(id);
	}

	/**
	 * Starts a backtest; a policy file the launcher refuses comes back with every problem
	 * by field, and the text as it was typed.
	 */
	@PostMapping("/console/backtests")
	String startBacktest(@RequestParam String pipeline, @RequestParam String policies, RedirectAttributes flash) {
		flash.addFlashAttribute("policies", policies);
		flash.addFlashAttribute("pipeline", pipeline);
		return this.actions.act(flash, "/console/backtests",
				() -> "/console/backtests/" + this.launcher.start(Names.pipeline(pipeline), policies, Actor.current()));
	}

	@PostMapping("/console/backtests/{id}/stop")
	String stopBacktest(@PathVariable long id, RedirectAttributes flash) {
		return this.actions.act(flash, "/console/backtests/" + id, () -> {
			this.launcher.stop(id, Actor.current());
			return "/console/backtests/" + id;
		});
	}

}

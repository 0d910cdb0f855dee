package dev.retrain.orchestrator.console;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.drift.DriftEvents;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.drift.DriftReports;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.orchestrator.web.Names;

/**
 * A pipeline's drift page: the latest check per feature with its histogram and its trend
 * against the threshold over the last 30 checks, the model's outputs, the history of
 * checks and the drift events; running a check now.
 */
@Controller
class DriftPageController {

	private static final int CHECKS = 30;

	private final PipelineCatalog catalog;

	private final DriftReports reports;

	private final DriftEvents events;

	private final DriftChecker checker;

	private final PipelineData data;

	private final ConsoleActions actions;

	DriftPageController(PipelineCatalog catalog, DriftReports reports, DriftEvents events, DriftChecker checker,
			PipelineData data, ConsoleActions actions) {
		this.catalog = catalog;
		this.reports = reports;
		this.events = events;
		this.checker = checker;
		this.data = data;
		this.actions = actions;
	}

	/**
	 * A drift check now against the champion, as of a date or the newest day with data;
	 * back to the drift page with its outcome.
	 */
	@PostMapping("/console/drift/{name}/checks")
	String check(@PathVariable String name, @RequestParam(required = false) String asOf, RedirectAttributes flash) {
		String back = "/console/drift/" + name;
		return this.actions.act(flash, back, () -> {
			PipelineDefinition def = this.catalog.get(Names.pipeline(name));
			LocalDate day = ConsoleActions.date("as-of date", asOf);
			DriftReport report = this.checker.check(name, (day != null) ? day : this.data.newestDay(def), "console");
			flash.addFlashAttribute((report.status() == DriftReport.Status.NO_DATA) ? "error" : "notice",
					"drift check as of " + report.asOf() + ": " + report.status() + ": " + report.summary());
			return back;
		});
	}

	@GetMapping("/console/drift/{name}")
	String drift(@PathVariable String name, Model model) {
		this.catalog.get(name);
		List<DriftReport> history = this.reports.history(name, CHECKS);
		model.addAttribute("pipeline", name);
		model.addAttribute("measured", !history.isEmpty() && (history.get(0).status() == DriftReport.Status.DRIFT
				|| history.get(0).status() == DriftReport.Status.NO_DRIFT));
		model.addAttribute("report", history.isEmpty() ? null : history.get(0));
		model.addAttribute("history", history);
		model.addAttribute("events", this.events.recent(name, CHECKS));
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

}

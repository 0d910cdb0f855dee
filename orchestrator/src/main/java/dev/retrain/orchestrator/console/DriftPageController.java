package dev.retrain.orchestrator.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

import dev.retrain.jobs.drift.DriftEvents;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.drift.DriftReports;
import dev.retrain.jobs.pipeline.PipelineCatalog;

/**
 * A pipeline's drift page: the latest check per feature with its histogram and its trend
 * against the threshold over the last 30 checks, the model's outputs, the history of
 * checks and the drift events.
 */
@Controller
class DriftPageController {

	private static final int CHECKS = 30;

	private final PipelineCatalog catalog;

	private final DriftReports reports;

	private final DriftEvents events;

	DriftPageController(PipelineCatalog catalog, DriftReports reports, DriftEvents events) {
		this.catalog = catalog;
		this.reports = reports;
		this.events = events;
	}

	@GetMapping("/console/drift/{name}")
	String drift(@PathVariable String name, Model model) {
		this.catalog.get(name);
		List<DriftReport> history = this.reports.history(name, CHECKS);
		model.addAttribute("pipeline", name);
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

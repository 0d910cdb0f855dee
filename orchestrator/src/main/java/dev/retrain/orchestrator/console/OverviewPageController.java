package dev.retrain.orchestrator.console;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.retrain.jobs.pipeline.PipelineCatalog;

/**
 * The overview: every pipeline on one line ({@link Overview}), and the files that failed
 * to load.
 */
@Controller
class OverviewPageController {

	private final Overview overview;

	private final PipelineCatalog catalog;

	OverviewPageController(Overview overview, PipelineCatalog catalog) {
		this.overview = overview;
		this.catalog = catalog;
	}

	@GetMapping({ "/", "/console" })
	String overview(@RequestParam(required = false) String q, @RequestParam(required = false) String sort,
			@RequestParam(defaultValue = "0") int page, Model model) {
		model.addAttribute("view", this.overview.page(q, sort, page));
		model.addAttribute("loadErrors", this.catalog.state().errors().stream().map(Throwable::getMessage).toList());
		return "console/overview";
	}

}

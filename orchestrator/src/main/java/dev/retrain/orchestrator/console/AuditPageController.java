package dev.retrain.orchestrator.console;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.orchestrator.web.Names;

/** The audit log's newest 200 entries, filtered by pipeline and action. */
@Controller
class AuditPageController {

	private static final int ENTRIES = 200;

	private final AuditLog audit;

	AuditPageController(AuditLog audit) {
		this.audit = audit;
	}

	@GetMapping("/console/audit")
	String audit(@RequestParam(required = false) String pipeline, @RequestParam(required = false) String action,
			Model model) {
		String onlyPipeline = blankToNull(pipeline);
		if (onlyPipeline != null) {
			Names.pipeline(onlyPipeline);
		}
		model.addAttribute("entries", this.audit.query(onlyPipeline, blankToNull(action), ENTRIES));
		model.addAttribute("pipeline", pipeline);
		model.addAttribute("action", action);
		return "console/audit";
	}

	private static String blankToNull(String s) {
		return (s == null || s.isBlank()) ? null : s;
	}

}

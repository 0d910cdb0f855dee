package dev.retrain.orchestrator.admin;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.jobs.consistency.ConsistencyCheck;

/**
 * The consistency check an operator runs ({@code GET /api/admin/consistency}), and the
 * same check logged at start-up: every disagreement between registry, store and job
 * repository, listed, nothing fixed silently.
 */
@RestController
@Tag(name = "admin")
class ConsistencyController {

	private static final Logger log = LoggerFactory.getLogger(ConsistencyController.class);

	private final ConsistencyCheck check;

	ConsistencyController(ConsistencyCheck check) {
		this.check = check;
	}

	@GetMapping("/api/admin/consistency")
	@Operation(summary = "Every disagreement between the registry, the model store and the job repository (none fixed)")
	ConsistencyCheck.Report consistency() {
		return this.check.run();
	}

	@EventListener(ApplicationReadyEvent.class)
	void atStartup() {
		ConsistencyCheck.Report report;
		try {
			report = this.check.run();
		}
		catch (RuntimeException ex) {
			// the store unreachable (object storage down) must not stop the node from
			// starting: readiness says so, and GET /api/admin/consistency checks again
			log.warn("consistency not checked at start: {}", ex.getMessage());
			return;
		}
		report.disagreements()
			.forEach(d -> log.warn("inconsistent: {} {} {}: {}", d.kind(), d.pipeline(), d.subject(), d.detail()));
		if (report.consistent()) {
			log.info("registry, model store and job repository agree");
		}
	}

}

package dev.retrain.orchestrator.audit;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.orchestrator.web.Names;

/** The audit log: every state change, who made it, when and why. */
@RestController
@Tag(name = "audit")
class AuditController {

	private final AuditLog audit;

	AuditController(AuditLog audit) {
		this.audit = audit;
	}

	@GetMapping("/api/audit")
	@Operation(summary = "Audit log, newest first; filter by pipeline, action (PROMOTE, ROLLBACK, APPROVE, ...) "
			+ "and time (from inclusive, to exclusive)")
	List<AuditLog.Entry> query(@RequestParam(required = false) String pipeline,
			@RequestParam(required = false) String action, @RequestParam(required = false) Instant from,
			@RequestParam(required = false) Instant to, @RequestParam(defaultValue = "100") int limit) {
		if (pipeline != null) {
			Names.pipeline(pipeline);
		}
		if (limit < 1 || limit > 1000) {
			throw new IllegalArgumentException("limit must be between 1 and 1000");
		}
		if (from != null && to != null && !from.isBefore(to)) {
			throw new IllegalArgumentException("from must be before to");
		}
		return this.audit.query(pipeline, action, from, to, limit);
	}

}

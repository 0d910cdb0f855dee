package dev.retrain.orchestrator.scheduling;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.retrain.jobs.audit.AuditLog;

/** Writes what people do to schedules to the audit log. */
@Component
class ScheduleAudit {

	private final AuditLog audit;

	ScheduleAudit(AuditLog audit) {
		this.audit = audit;
	}

	@EventListener
	void on(ScheduleChanged e) {
		this.audit.record(e.actor(), e.change().auditAction(), e.pipeline(), e.kind(), null);
	}

}

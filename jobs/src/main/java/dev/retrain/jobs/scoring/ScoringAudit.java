package dev.retrain.jobs.scoring;

import org.springframework.context.event.EventListener;

import dev.retrain.jobs.audit.AuditLog;

/** Writes the scorings and label joins people launch to the audit log. */
class ScoringAudit {

	private final AuditLog audit;

	ScoringAudit(AuditLog audit) {
		this.audit = audit;
	}

	@EventListener
	void on(ScoringRequested e) {
		this.audit.record(e.actor(), "SCORE", e.scoring().pipeline(), "scoring " + e.scoring().id(),
				e.scoring().date() + " with v" + e.scoring().version());
	}

	@EventListener
	void on(LabelJoinRequested e) {
		this.audit.record(e.actor(), "JOIN_LABELS", e.pipeline(), "label join " + e.id(), e.date().toString());
	}

}

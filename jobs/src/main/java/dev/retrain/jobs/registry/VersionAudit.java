package dev.retrain.jobs.registry;

import org.springframework.context.event.EventListener;

import dev.retrain.jobs.audit.AuditLog;

/**
 * Writes every move of a version's life to the audit log, automatic promotions included.
 * Events are published inside the transaction that saves the move, so the audit row
 * commits with it.
 */
class VersionAudit {

	private final AuditLog audit;

	VersionAudit(AuditLog audit) {
		this.audit = audit;
	}

	@EventListener
	void on(ChampionChanged e) {
		this.audit.record(e.actor(), e.move().auditAction(), e.pipeline(), "v" + e.to(),
				"champion " + ModelVersion.describe(e.from()) + " -> v" + e.to() + ": " + e.reason());
	}

	/** An approval is audited by its champion move; a rejection here. */
	@EventListener
	void on(VersionReviewed e) {
		if (e.review() == Review.REJECTED) {
			this.audit.record(e.actor(), "REJECT", e.pipeline(), "v" + e.version(), e.reason());
		}
	}

	@EventListener
	void on(PromotionConflicted e) {
		this.audit.record("run " + e.runId(), "PROMOTION_CONFLICT", e.pipeline(), "v" + e.version(),
				ModelVersion.conflictSummary(e.seen(), e.now()));
	}

}

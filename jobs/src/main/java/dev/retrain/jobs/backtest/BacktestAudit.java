package dev.retrain.jobs.backtest;

import org.springframework.context.event.EventListener;

import dev.retrain.jobs.audit.AuditLog;

/** Writes what people do to backtests to the audit log. */
class BacktestAudit {

	private final AuditLog audit;

	BacktestAudit(AuditLog audit) {
		this.audit = audit;
	}

	@EventListener
	void on(BacktestRequested e) {
		this.audit.record(e.actor(), e.request().auditAction(), e.pipeline(), "backtest " + e.id(), null);
	}

}

package dev.retrain.jobs.runs;

import org.springframework.context.event.EventListener;

import dev.retrain.jobs.audit.AuditLog;

/** Writes what people do to runs to the audit log: launches, stops and restarts. */
public class RunAudit {

	private final AuditLog audit;

	public RunAudit(AuditLog audit) {
		this.audit = audit;
	}

	@EventListener
	void on(RunLaunched e) {
		this.audit.record(e.actor(), "LAUNCH_RUN", e.run().pipeline(), "run " + e.run().runId(),
				"as of " + e.run().asOf() + ", run key " + e.run().runKey());
	}

	@EventListener
	void on(RunStopRequested e) {
		this.audit.record(e.actor(), "STOP_RUN", e.pipeline(), "run " + e.runId(), null);
	}

	@EventListener
	void on(RunRestarted e) {
		this.audit.record(e.actor(), "RESTART_RUN", e.run().pipeline(), "run " + e.previousRunId(),
				"new run " + e.run().runId());
	}

}

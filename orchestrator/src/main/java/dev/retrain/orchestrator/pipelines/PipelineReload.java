package dev.retrain.orchestrator.pipelines;

import java.util.List;

import org.springframework.stereotype.Service;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.orchestrator.scheduling.ScheduleReconciler;

/**
 * Reloads the pipeline files, reconciles their schedules, and writes the reload to the
 * audit log.
 */
@Service
class PipelineReload {

	private final PipelineCatalog catalog;

	private final ScheduleReconciler schedules;

	private final AuditLog audit;

	PipelineReload(PipelineCatalog catalog, ScheduleReconciler schedules, AuditLog audit) {
		this.catalog = catalog;
		this.schedules = schedules;
		this.audit = audit;
	}

	/** What a reload loaded, what failed, and how the schedules changed. */
	record ReloadResult(List<String> pipelines, List<String> loadErrors, List<String> scheduleChanges) {
	}

	ReloadResult reload(String actor) {
		PipelineCatalog.State state = this.catalog.reload();
		List<String> changes = this.schedules.reconcile();
		this.audit.record(actor, "RELOAD_CONFIG", null, null,
				state.pipelines().keySet() + "; errors: " + state.errors().size() + "; schedules: " + changes);
		return new ReloadResult(List.copyOf(state.pipelines().keySet()),
				state.errors().stream().map(Throwable::getMessage).toList(), changes);
	}

}

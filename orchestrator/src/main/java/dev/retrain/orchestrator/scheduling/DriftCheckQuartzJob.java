package dev.retrain.orchestrator.scheduling;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.slf4j.event.Level;

import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;

/**
 * A pipeline's drift-check schedule fired: check the newest partition(s) against the
 * champion.
 */
@DisallowConcurrentExecution
class DriftCheckQuartzJob extends PipelineQuartzJob {

	private final DriftChecker checker;

	private final PipelineCatalog catalog;

	private final PipelineData data;

	DriftCheckQuartzJob(DriftChecker checker, PipelineCatalog catalog, PipelineData data) {
		super(Level.ERROR, "scheduled drift check of {} failed");
		this.checker = checker;
		this.catalog = catalog;
		this.data = data;
	}

	@Override
	void fire(String pipeline, JobExecutionContext context) {
		this.checker.check(pipeline, this.data.newestDay(this.catalog.get(pipeline)), "schedule");
	}

}

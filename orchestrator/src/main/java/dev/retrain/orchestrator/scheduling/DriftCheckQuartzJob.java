package dev.retrain.orchestrator.scheduling;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.quartz.QuartzJobBean;

import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;

/**
 * A pipeline's drift-check schedule fired: check the newest partition(s) against the
 * champion.
 */
@DisallowConcurrentExecution
class DriftCheckQuartzJob extends QuartzJobBean {

	private static final Logger log = LoggerFactory.getLogger(DriftCheckQuartzJob.class);

	private final DriftChecker checker;

	private final PipelineCatalog catalog;

	private final PipelineData data;

	DriftCheckQuartzJob(DriftChecker checker, PipelineCatalog catalog, PipelineData data) {
		this.checker = checker;
		this.catalog = catalog;
		this.data = data;
	}

	@Override
	protected void executeInternal(JobExecutionContext context) {
		String pipeline = context.getJobDetail().getKey().getName();
		try {
			this.checker.check(pipeline, this.data.newestDay(this.catalog.get(pipeline)), "schedule");
		}
		catch (RuntimeException ex) {
			log.error("scheduled drift check of {} failed: {}", pipeline, ex.getMessage());
		}
	}

}

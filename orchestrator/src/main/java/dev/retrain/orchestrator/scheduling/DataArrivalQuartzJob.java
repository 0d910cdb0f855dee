package dev.retrain.orchestrator.scheduling;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.quartz.QuartzJobBean;

import dev.retrain.jobs.drift.PartitionWatch;

/** Polls a pipeline's data directory for a new day partition (every minute). */
@DisallowConcurrentExecution
class DataArrivalQuartzJob extends QuartzJobBean {

	private static final Logger log = LoggerFactory.getLogger(DataArrivalQuartzJob.class);

	private final PartitionWatch watch;

	DataArrivalQuartzJob(PartitionWatch watch) {
		this.watch = watch;
	}

	@Override
	protected void executeInternal(JobExecutionContext context) {
		String pipeline = context.getJobDetail().getKey().getName();
		try {
			this.watch.poll(pipeline);
		}
		catch (RuntimeException ex) {
			log.error("data-arrival poll of {} failed: {}", pipeline, ex.getMessage());
		}
	}

}

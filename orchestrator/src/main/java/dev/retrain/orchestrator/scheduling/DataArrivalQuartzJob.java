package dev.retrain.orchestrator.scheduling;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.slf4j.event.Level;

import dev.retrain.jobs.drift.PartitionWatch;

/** Polls a pipeline's data directory for a new day partition (every minute). */
@DisallowConcurrentExecution
class DataArrivalQuartzJob extends PipelineQuartzJob {

	private final PartitionWatch watch;

	DataArrivalQuartzJob(PartitionWatch watch) {
		super(Level.ERROR, "data-arrival poll of {} failed");
		this.watch = watch;
	}

	@Override
	void fire(String pipeline, JobExecutionContext context) {
		this.watch.poll(pipeline);
	}

}

package dev.retrain.orchestrator.scheduling;

import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.springframework.scheduling.quartz.QuartzJobBean;

/**
 * What every schedule of a pipeline does when it fires: the pipeline is the job's name,
 * and a failure is logged (at {@code level}, as {@code failure} with the pipeline and the
 * reason), never thrown into Quartz, so that the schedule fires again next time.
 */
abstract class PipelineQuartzJob extends QuartzJobBean {

	/** The subclass's logger. */
	final Logger log = LoggerFactory.getLogger(getClass());

	private final Level level;

	private final String failure;

	/**
	 * @param level the level a failure is logged at
	 * @param failure what a failure says, with {@code {}} for the pipeline
	 */
	PipelineQuartzJob(Level level, String failure) {
		this.level = level;
		this.failure = failure;
	}

	@Override
	protected final void executeInternal(JobExecutionContext context) {
		String pipeline = context.getJobDetail().getKey().getName();
		try {
			fire(pipeline, context);
		}
		catch (RuntimeException ex) {
			this.log.atLevel(this.level).log(this.failure + ": {}", pipeline, ex.getMessage());
		}
	}

	/** Does what the schedule of {@code pipeline} is for. */
	abstract void fire(String pipeline, JobExecutionContext context);

}

package dev.retrain.orchestrator.scheduling;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.quartz.CronTrigger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.slf4j.event.Level;

import dev.retrain.jobs.runs.RetrainBudgetSpent;
import dev.retrain.jobs.runs.RunAlreadyActive;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.Trigger;

/**
 * A pipeline's retrain schedule fired: launch a run for the newest partition. The run key
 * derives from the scheduled fire time, so a misfire that fires late still launches that
 * slot's run once.
 */
@DisallowConcurrentExecution
class RetrainQuartzJob extends PipelineQuartzJob {

	static final DateTimeFormatter SLOT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

	private final RunLauncher launcher;

	RetrainQuartzJob(RunLauncher launcher) {
		super(Level.ERROR, "scheduled retrain of {} could not start");
		this.launcher = launcher;
	}

	@Override
	void fire(String pipeline, JobExecutionContext context) {
		String slot = SLOT.format(context.getScheduledFireTime().toInstant());
		String cause = (context.getTrigger() instanceof CronTrigger c)
				? "cron '" + c.getCronExpression() + "' (" + c.getTimeZone().getID() + "), slot " + slot + " UTC"
				: "schedule triggered now through the API, at " + slot + " UTC";
		try {
			this.launcher
				.launch(new RunLauncher.Request(pipeline, null, "schedule-" + slot, null, Trigger.SCHEDULE, cause));
		}
		catch (RunAlreadyActive | RetrainBudgetSpent ex) {
			this.log.warn("scheduled retrain of {} (slot {}) skipped: {}", pipeline, slot, ex.getMessage());
		}
	}

}

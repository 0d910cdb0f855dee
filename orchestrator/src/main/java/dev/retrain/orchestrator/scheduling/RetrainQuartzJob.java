package dev.retrain.orchestrator.scheduling;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.quartz.CronTrigger;
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
 * <p>
 * Not {@code @DisallowConcurrentExecution}, unlike the other schedules: a launch takes
 * milliseconds and the one-run-per-pipeline lock already decides between two fires of the
 * same pipeline at once (a cron and a "trigger now": one runs, the other is a logged
 * skip). Quartz's bookkeeping for a job that may not run concurrently (blocking and
 * unblocking the job's other triggers, checking paused groups) is six more statements per
 * fire under its cluster-wide {@code TRIGGER_ACCESS} lock, which every fire of every node
 * takes in turn: with a thousand crons due in the same second, that lock is what the
 * fires queue for (docs/capacity.md).
 */
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

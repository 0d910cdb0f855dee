package dev.retrain.orchestrator.scheduling;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.slf4j.event.Level;

import dev.retrain.jobs.scoring.ScoringLauncher;

/**
 * A pipeline's scoring schedule ({@code scoring.schedule}) fired: score the newest day of
 * its input with the champion, under run key {@code scheduled} (a date already scored
 * with that champion is not scored again).
 */
@DisallowConcurrentExecution
class ScoringQuartzJob extends PipelineQuartzJob {

	private final ScoringLauncher launcher;

	ScoringQuartzJob(ScoringLauncher launcher) {
		super(Level.WARN, "scheduled scoring of {} not started");
		this.launcher = launcher;
	}

	@Override
	void fire(String pipeline, JobExecutionContext context) {
		ScoringLauncher.Launched launched = this.launcher.launch(pipeline, null, null, "scheduled", "schedule");
		this.log.info("scheduled scoring {} of {} for {} with v{}", launched.id(), pipeline, launched.date(),
				launched.version());
	}

}

package dev.retrain.orchestrator.scheduling;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.quartz.QuartzJobBean;

import dev.retrain.jobs.scoring.ScoringLauncher;

/**
 * A pipeline's scoring schedule ({@code scoring.schedule}) fired: score the newest day of
 * its input with the champion, under run key {@code scheduled} (a date already scored
 * with that champion is not scored again).
 */
@DisallowConcurrentExecution
class ScoringQuartzJob extends QuartzJobBean {

	private static final Logger log = LoggerFactory.getLogger(ScoringQuartzJob.class);

	private final ScoringLauncher launcher;

	ScoringQuartzJob(ScoringLauncher launcher) {
		this.launcher = launcher;
	}

	@Override
	protected void executeInternal(JobExecutionContext context) {
		String pipeline = context.getJobDetail().getKey().getName();
		try {
			ScoringLauncher.Launched launched = this.launcher.launch(pipeline, null, null, "scheduled", "schedule");
			log.info("scheduled scoring {} of {} for {} with v{}", launched.id(), pipeline, launched.date(),
					launched.version());
		}
		catch (RuntimeException ex) {
			log.warn("scheduled scoring of {} not started: {}", pipeline, ex.getMessage());
		}
	}

}

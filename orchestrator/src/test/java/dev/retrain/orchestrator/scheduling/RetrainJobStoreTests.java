package dev.retrain.orchestrator.scheduling;

import org.junit.jupiter.api.Test;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Trigger.CompletedExecutionInstruction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which fires' ends skip Quartz's cluster lock: only a retrain's cron fire (the job may
 * run concurrently and keeps no data, the trigger fires again); the other schedules'
 * jobs, which may not run concurrently, and a one-off trigger that Quartz removes after
 * its fire, end under the lock as Quartz does it.
 */
class RetrainJobStoreTests {

	@Test
	void onlyAConcurrentJobsRepeatingFireEndsWithoutTheLock() {
		JobDetail retrain = JobBuilder.newJob(RetrainQuartzJob.class).withIdentity("p", "retrain").build();
		JobDetail drift = JobBuilder.newJob(DriftCheckQuartzJob.class).withIdentity("p", "drift").build();

		assertThat(retrain.isConcurrentExecutionDisallowed()).isFalse();
		assertThat(RetrainJobStore.endsWithoutLock(retrain, CompletedExecutionInstruction.NOOP)).isTrue();
		assertThat(RetrainJobStore.endsWithoutLock(retrain, CompletedExecutionInstruction.DELETE_TRIGGER))
			.as("a trigger-now fire: its trigger is removed under the lock")
			.isFalse();
		assertThat(RetrainJobStore.endsWithoutLock(retrain, CompletedExecutionInstruction.SET_TRIGGER_COMPLETE))
			.isFalse();
		assertThat(RetrainJobStore.endsWithoutLock(drift, CompletedExecutionInstruction.NOOP))
			.as("a job that may not run concurrently unblocks its triggers under the lock")
			.isFalse();
	}

}

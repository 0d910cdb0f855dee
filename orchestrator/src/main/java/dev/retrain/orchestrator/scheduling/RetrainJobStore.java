package dev.retrain.orchestrator.scheduling;

import java.sql.SQLException;

import org.quartz.JobDetail;
import org.quartz.JobPersistenceException;
import org.quartz.Trigger.CompletedExecutionInstruction;
import org.quartz.spi.OperableTrigger;
import org.springframework.scheduling.quartz.LocalDataSourceJobStore;

/**
 * Spring's Quartz job store on the application's data source
 * ({@code org.quartz.jobStore.class}), with one change: the end of a fire that changes
 * nothing but its own fired-trigger row is recorded without Quartz's cluster-wide
 * {@code TRIGGER_ACCESS} lock.
 * <p>
 * Quartz records the end of every fire under that lock, which every fire of every node
 * also takes to acquire and fire triggers: with a thousand crons due in the same second
 * on two nodes, the fires' ends were most of the lock's holders, each a lock, one
 * {@code DELETE} and a commit, one after the other across the cluster (docs/capacity.md).
 * When the job may run concurrently, keeps no data between executions and its trigger
 * fires again (the instruction is {@code NOOP}: a cron with a next fire time), that end
 * deletes only the fire's own row of {@code QRTZ_FIRED_TRIGGERS}, by its unique entry id:
 * no other trigger's state, no blocked job, nothing another node reads under the lock
 * changes. Any other end (a one-off trigger that is removed, a job that does not run
 * concurrently) is Quartz's, under the lock. Like Quartz's, the delete is retried until
 * the database answers.
 */
public class RetrainJobStore extends LocalDataSourceJobStore {

	@Override
	public void triggeredJobComplete(OperableTrigger trigger, JobDetail jobDetail,
			CompletedExecutionInstruction instruction) {
		if (!endsWithoutLock(jobDetail, instruction)) {
			super.triggeredJobComplete(trigger, jobDetail, instruction);
			return;
		}
		retryExecuteInNonManagedTXLock(null, conn -> {
			try {
				getDelegate().deleteFiredTrigger(conn, trigger.getFireInstanceId());
				return null;
			}
			catch (SQLException ex) {
				throw new JobPersistenceException("Couldn't delete fired trigger: " + ex.getMessage(), ex);
			}
		});
	}

	/**
	 * Whether Quartz's end of this fire would only delete its fired-trigger row (see
	 * {@code JobStoreSupport.triggeredJobComplete}).
	 */
	static boolean endsWithoutLock(JobDetail job, CompletedExecutionInstruction instruction) {
		return instruction == CompletedExecutionInstruction.NOOP && !job.isConcurrentExecutionDisallowed()
				&& !job.isPersistJobDataAfterExecution();
	}

}

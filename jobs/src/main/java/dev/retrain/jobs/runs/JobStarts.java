package dev.retrain.jobs.runs;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.JobRestartException;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * How every launcher of a Spring Batch job starts it, so that a concurrent duplicate
 * answers 409 ({@link RunRejected}), never a 500: launches with the same key are taken
 * one at a time on this node (the launcher's "is one running?" check and the start happen
 * under the key's lock), and the job repository's own refusals of a duplicate that
 * another node started at the same moment (an instance with no execution yet, a unique
 * key, an optimistic lock) are said in our words, not Spring Batch's.
 */
public final class JobStarts {

	private static final ReentrantLock[] STRIPES = new ReentrantLock[64];

	static {
		for (int i = 0; i < STRIPES.length; i++) {
			STRIPES[i] = new ReentrantLock();
		}
	}

	private JobStarts() {
	}

	/** Runs {@code launch} while no other launch with {@code key} runs on this node. */
	public static <T> T oneAtATime(String key, Supplier<T> launch) {
		ReentrantLock lock = STRIPES[Math.floorMod(key.hashCode(), STRIPES.length)];
		lock.lock();
		try {
			return launch.get();
		}
		finally {
			lock.unlock();
		}
	}

	/**
	 * Starts {@code job}; {@code what} names the launch ("the scoring of 'x' for
	 * 2026-01-01"), {@code alreadyComplete} says what to do when its instance completed.
	 */
	public static JobExecution start(JobOperator operator, Job job, JobParameters params, String what,
			String alreadyComplete) {
		try {
			return operator.start(job, params);
		}
		catch (JobInstanceAlreadyCompleteException ex) {
			throw new RunRejected(alreadyComplete, ex);
		}
		catch (JobExecutionAlreadyRunningException ex) {
			throw new RunRejected(what + " is running; wait for it to end or stop it", ex);
		}
		catch (JobRestartException ex) {
			throw new RunRejected(what + " cannot be restarted as it is; launch it with another run key", ex);
		}
		catch (IllegalStateException | DataIntegrityViolationException | ConcurrencyFailureException ex) {
			// the repository saw an identical launch another request or node is making
			// now
			throw new RunRejected(what + " is being started by another request at this moment; see the running ones",
					ex);
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new RunRejected(what + " cannot start", ex);
		}
	}

}

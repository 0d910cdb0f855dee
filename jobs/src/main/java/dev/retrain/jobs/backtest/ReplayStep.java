package dev.retrain.jobs.backtest;

import java.nio.file.Path;
import java.util.Locale;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.AbstractStep;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;

/**
 * Step 1 of the backtest job, {@code replay}: replays the plan's policies in order, each
 * into its result file in the backtest's directory. The step's execution context counts
 * the policies done ({@value #DONE}), written after each, so that a restarted backtest
 * goes on with the next one, and holds the last progress line ({@value #PROGRESS}),
 * written as it comes; the write count is the policies this execution replayed. A stop
 * request is seen between policies and at a policy's progress lines (every 50 periods);
 * the policy it interrupted is replayed again on restart. Not a tasklet: a tasklet's
 * chunk runs in a transaction, and the sandbox of a policy launches its retrain runs on
 * this thread, where Spring Batch refuses to create a job execution within a transaction
 * (and a policy takes minutes, too long to hold one).
 */
class ReplayStep extends AbstractStep {

	static final String DONE = "policies.done";

	static final String PROGRESS = "progress";

	private final Path dataDir;

	ReplayStep(JobRepository repository, Path dataDir) {
		super(repository);
		setName("replay");
		this.dataDir = dataDir;
	}

	@Override
	protected void doExecute(StepExecution step) throws Exception {
		ExecutionContext context = step.getExecutionContext();
		BacktestDirectory dir = BacktestDirectory.of(this.dataDir, step.getJobParameters());
		BacktestPlan plan = dir.plan(step.getJobParameters());
		int total = plan.policies().size();
		for (int done = context.getInt(DONE, 0); done < total; done++) {
			BacktestPolicy policy = plan.policies().get(done);
			String of = "(" + (done + 1) + " of " + total + ") ";
			PolicyResult result;
			try {
				result = Backtester.replay(plan, policy, line -> progress(step, of + line));
			}
			catch (StopRequested ex) {
				throw new JobInterruptedException(
						"stopped while replaying policy '" + policy.name() + "'; a restart replays it again");
			}
			dir.writeResult(done, result);
			context.putInt(DONE, done + 1);
			context.putString(PROGRESS, String.format(Locale.ROOT, "%spolicy %s replayed: mean %s %.4f, %d retrains",
					of, policy.name(), plan.def().promotion().metric().key(), result.meanMetric(), result.retrains()));
			step.setWriteCount(step.getWriteCount() + 1);
			getJobRepository().updateExecutionContext(step);
			// marks the step to terminate when the backtest was asked to stop
			getJobRepository().update(step);
			if (step.isTerminateOnly() && done + 1 < total) {
				throw new JobInterruptedException("stopped after policy '" + policy.name() + "'");
			}
		}
	}

	/**
	 * Records a progress line at once and interrupts the replay when the backtest was
	 * asked to stop.
	 */
	private void progress(StepExecution step, String line) {
		step.getExecutionContext().putString(PROGRESS, line);
		getJobRepository().updateExecutionContext(step);
		JobExecution job = getJobRepository().getJobExecution(step.getJobExecutionId());
		if (job != null && job.getStatus() == BatchStatus.STOPPING) {
			throw new StopRequested();
		}
	}

	/** Unwinds a policy's replay (closing its sandbox) when a stop was requested. */
	private static final class StopRequested extends RuntimeException {

		StopRequested() {
			super("stop requested", null, false, false);
		}

	}

}

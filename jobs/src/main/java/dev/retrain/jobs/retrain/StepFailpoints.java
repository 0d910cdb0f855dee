package dev.retrain.jobs.retrain;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

import dev.retrain.models.faults.Failpoints;

/**
 * The step boundaries as {@link Failpoints}: {@code before-<step>} once the step's
 * execution is recorded as started, {@code after-<step>} once its work is committed and
 * (Spring Batch 6 records it before the after-step listeners run) its end recorded.
 */
class StepFailpoints implements StepExecutionListener {

	@Override
	public void beforeStep(StepExecution step) {
		Failpoints.reach("before-" + step.getStepName());
	}

	@Override
	public ExitStatus afterStep(StepExecution step) {
		Failpoints.reach("after-" + step.getStepName());
		return null;
	}

}

package dev.retrain.jobs.retrain;

import java.util.Optional;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.runs.StepClaims;

/**
 * With a workspace in object storage ({@code retrain.workspace-uri}): each step starts
 * from the run's workspace as it is there ({@link #beforeStep}) and leaves what it wrote
 * ({@link #around}: at the end of its work, inside the step, because Spring Batch records
 * a step COMPLETED before its after-step listeners run, and a node polling for a remote
 * step's end must find its output there). Without one, nothing.
 */
class WorkspaceSync implements StepExecutionListener {

	private final RetrainProperties props;

	private final StepClaims claims;

	WorkspaceSync(RetrainProperties props, StepClaims claims) {
		this.props = props;
		this.claims = claims;
	}

	private RunWorkspace workspace(StepExecution step) {
		return RunWorkspace.of(this.props, RunContext.of(step.getJobExecution()));
	}

	@Override
	public void beforeStep(StepExecution step) {
		if (this.props.workspace() != null) {
			workspace(step).pull();
		}
	}

	/** The step's work, then what it wrote pushed to the workspace. */
	Tasklet around(Tasklet work) {
		return (contribution, chunk) -> {
			RepeatStatus status = work.execute(contribution, chunk);
			if (this.props.workspace() != null) {
				// a worker whose step was taken over by another leaves the workspace to
				// it
				Optional<String> takenOver = this.claims.takenOver(chunk.getStepContext().getStepExecution());
				if (takenOver.isPresent()) {
					throw new TrainStep.TrainingStopped(takenOver.get());
				}
				RunWorkspace.of(this.props, RunContext.of(chunk)).push();
			}
			return status;
		};
	}

}

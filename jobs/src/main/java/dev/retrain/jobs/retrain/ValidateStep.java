package dev.retrain.jobs.retrain;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.json.Json;

/**
 * Step 2: check the data; a failing check fails the run with the report, and nothing is
 * trained.
 */
class ValidateStep implements Tasklet {

	private final StepInputsFactory inputs;

	private final RunRecords runs;

	ValidateStep(StepInputsFactory inputs, RunRecords runs) {
		this.inputs = inputs;
		this.runs = runs;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
		StepInputs s = this.inputs.of(chunk);
		ValidationReport report = new DataValidator(s.def()).validate(s.plan());
		Json.write(s.ws().validation(), report);
		this.runs.detail(s.run().runId(), "validation", report);
		contribution.incrementReadCount();
		if (!report.passed()) {
			throw new DataValidationFailed(report.failures());
		}
		return RepeatStatus.FINISHED;
	}

}

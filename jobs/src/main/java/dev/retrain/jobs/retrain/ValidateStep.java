package dev.retrain.jobs.retrain;

import java.util.Optional;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.json.Json;
import dev.retrain.models.store.ModelStore;

/**
 * Step 2: check the data; a failing check fails the run with the report, and nothing is
 * trained.
 */
class ValidateStep implements Tasklet {

	private final StepInputsFactory inputs;

	private final RunRecords runs;

	private final ModelRegistry registry;

	private final ModelStore store;

	ValidateStep(StepInputsFactory inputs, RunRecords runs, ModelRegistry registry, ModelStore store) {
		this.inputs = inputs;
		this.runs = runs;
		this.registry = registry;
		this.store = store;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
		StepInputs s = this.inputs.of(chunk);
		ValidationReport report = new DataValidator(s.def(), reference(s.def().name())).validate(s.plan());
		Json.write(s.ws().validation(), report);
		this.runs.detail(s.run().runId(), "validation", report);
		contribution.incrementReadCount();
		if (!report.passed()) {
			throw new DataValidationFailed(report.failures());
		}
		return RepeatStatus.FINISHED;
	}

	/**
	 * The champion's training profile, or null: no champion, or one whose metadata cannot
	 * be read (the consistency check reports that; evaluation says it cannot score it).
	 */
	private DataValidator.Reference reference(String pipeline) {
		Optional<Integer> champion = this.registry.champion(pipeline);
		if (champion.isEmpty()) {
			return null;
		}
		try {
			return new DataValidator.Reference(champion.get(), this.store.metadata(pipeline, champion.get()).profile());
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

}

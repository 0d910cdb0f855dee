package dev.retrain.jobs.retrain;

import java.util.Optional;
import java.util.function.Supplier;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepExecution;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.runs.StepClaims;
import dev.retrain.models.json.Json;
import dev.retrain.models.storage.S3Settings;

/**
 * What every retrain step starts from: the run, its pipeline's definition, and its
 * workspace.
 */
record StepInputs(RunContext run, PipelineDefinition def, RunWorkspace ws, S3Settings s3, RetrainProperties props,
		Supplier<Optional<String>> takenOver) {

	static StepInputs of(ChunkContext chunk, PipelineCatalog catalog, RetrainProperties props, StepClaims claims) {
		RunContext run = RunContext.of(chunk);
		StepExecution step = chunk.getStepContext().getStepExecution();
		return new StepInputs(run, PinnedPipeline.of(step.getJobExecution(), catalog), RunWorkspace.of(props, run),
				props.s3(), props, () -> claims.takenOver(step));
	}

	/**
	 * Stops the step if another worker took it over ({@link StepClaims}): called before
	 * each checkpoint push and before a step's output is written, so that only the newest
	 * claim writes.
	 */
	void stillHeld() {
		Optional<String> why = this.takenOver.get();
		if (why.isPresent()) {
			throw new TrainStep.TrainingStopped(why.get());
		}
	}

	/**
	 * For a TorchScript pipeline's retrain: the module file it starts from, in the
	 * workspace ({@link ModuleFile}).
	 */
	ModuleFile moduleFile() {
		return ModuleFile.of(this.def, this.props, this.ws);
	}

	SnapshotInfo snapshot() {
		return Json.read(this.ws.snapshot(), SnapshotInfo.class);
	}

	/**
	 * Which of the snapshot's rows train and which are held out, and streaming reads of
	 * them.
	 */
	WindowPlan plan() {
		return WindowPlan.of(this.def, snapshot(), this.run.asOf(), this.s3);
	}

}

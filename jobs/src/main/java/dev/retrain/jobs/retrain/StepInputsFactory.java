package dev.retrain.jobs.retrain;

import org.springframework.batch.core.scope.context.ChunkContext;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.runs.StepClaims;

/**
 * Opens the {@link StepInputs} of the run a step belongs to: the one thing every retrain
 * step needs first. (Not Spring Batch's step scope: a plain value read from the chunk
 * context.)
 */
record StepInputsFactory(PipelineCatalog catalog, RetrainProperties props, StepClaims claims) {

	/** The listener that mirrors a step's workspace (see {@link WorkspaceSync}). */
	WorkspaceSync sync() {
		return new WorkspaceSync(this.props, this.claims);
	}

	StepInputs of(ChunkContext chunk) {
		return StepInputs.of(chunk, this.catalog, this.props, this.claims);
	}

}

package dev.retrain.jobs.retrain;

import org.springframework.batch.core.scope.context.ChunkContext;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineCatalog;

/** Opens the {@link StepScope} of the run a step belongs to: the one thing every retrain step needs first. */
record StepScopes(PipelineCatalog catalog, RetrainProperties props) {

	StepScope of(ChunkContext chunk) {
		return StepScope.of(chunk, this.catalog, this.props);
	}

}

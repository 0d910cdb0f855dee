package dev.retrain.jobs.retrain;

import java.util.List;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.store.Json;

/** Step 2: check the data; a failing check fails the run with the report, and nothing is trained. */
class ValidateStep implements Tasklet {

	private final PipelineCatalog catalog;

	private final RetrainProperties props;

	private final RunRecords runs;

	ValidateStep(PipelineCatalog catalog, RetrainProperties props, RunRecords runs) {
		this.catalog = catalog;
		this.props = props;
		this.runs = runs;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
		StepScope s = StepScope.of(chunk, this.catalog, this.props);
		ValidationReport report = new DataValidator(s.def()).validate(s.data(List.of()));
		Json.write(s.ws().validation(), report);
		this.runs.detail(s.run().runId(), "validation", report);
		contribution.incrementReadCount();
		if (!report.passed()) {
			throw new DataValidationFailed(report.failures());
		}
		return RepeatStatus.FINISHED;
	}

}

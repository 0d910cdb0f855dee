package dev.retrain.jobs.retrain;

import java.util.List;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
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
		RunContext run = RunContext.of(chunk);
		PipelineDefinition def = this.catalog.get(run.pipeline());
		RunWorkspace ws = RunWorkspace.of(this.props, run);
		SnapshotInfo snap = Json.read(ws.snapshot(), SnapshotInfo.class);
		WindowData data = WindowData.load(def, snap, run.asOf(), List.of());
		ValidationReport report = new DataValidator(def).validate(data);
		Json.write(ws.validation(), report);
		this.runs.detail(run.runId(), "validation", report);
		contribution.incrementReadCount();
		if (!report.passed()) {
			throw new DataValidationFailed(report.failures());
		}
		return RepeatStatus.FINISHED;
	}

}

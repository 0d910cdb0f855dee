package dev.retrain.jobs.retrain;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.pipeline.HoldoutSpec;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.dataset.DatasetSnapshot;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.json.Json;
import dev.retrain.models.storage.Location;

/**
 * Step 1: resolve the window's files (and golden holdouts), record size, rows and hash of
 * each.
 */
class SnapshotStep implements Tasklet {

	private final StepInputsFactory inputs;

	private final RunRecords runs;

	SnapshotStep(StepInputsFactory inputs, RunRecords runs) {
		this.inputs = inputs;
		this.runs = runs;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
		StepInputs s = this.inputs.of(chunk);
		RunContext run = s.run();
		PipelineDefinition def = s.def();
		LocalDate to = run.asOf();
		LocalDate from = to.minusDays(def.windowDays() - 1L);
		Location root = this.inputs.props().resolveData(def.dataPath());
		DatasetSnapshot window = DatasetSnapshot.of(new PartitionedDirectory(root).resolve(from, to));
		Map<String, SnapshotInfo.GoldenSnapshot> golden = new LinkedHashMap<>();
		for (HoldoutSpec h : def.holdouts()) {
			if (h.type() == HoldoutSpec.Type.GOLDEN) {
				PartitionedDirectory dir = new PartitionedDirectory(this.inputs.props().resolveData(h.path()));
				golden.put(h.name(), new SnapshotInfo.GoldenSnapshot(dir.baseForReading().uri(),
						DatasetSnapshot.of(dir.resolveAll())));
			}
		}
		SnapshotInfo info = new SnapshotInfo(from, to, root.uri(), window, golden);
		Json.write(s.ws().snapshot(), info);
		this.runs.snapshot(run.runId(), window.id(), window.rows());
		contribution.incrementReadCount();
		return RepeatStatus.FINISHED;
	}

}

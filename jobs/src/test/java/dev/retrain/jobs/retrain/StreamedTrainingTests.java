package dev.retrain.jobs.retrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.training.LoadedModel;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelTrainer;
import dev.retrain.models.training.TrainingData;

import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.START;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * With an in-memory bound of 0 MiB every training set is too large to hold, so the
 * retrain job streams it from Parquet every epoch. The exact (newton) fit makes the
 * streamed model comparable with one fitted in memory.
 */
@TestPropertySource(properties = "retrain.training-memory-mb=0")
class StreamedTrainingTests extends RetrainTestSupport {

	private static final String NEWTON = """
			family: linear
			solver: newton
			epochs: 50
			weight-decay: 0.001
			early-stopping:
			  patience: 0
			seed: 7""";

	@Test
	void aTrainingSetAboveTheMemoryBoundIsStreamedAndFitsTheModelAnInMemoryFitGives() throws Exception {
		sampleData(DATA_DIR, "streamed", 150, 5);
		definePipeline("streamed", yaml("streamed", "streamed", NEWTON, ""));

		RunRecord run = run("streamed", LAST, null);

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(run.decision()).isEqualTo(Decision.PROMOTE);
		assertThat(run.details()).containsPattern("\"streamed\"\\s*:\\s*true")
			.containsPattern("\"inMemoryBoundBytes\"\\s*:\\s*0\\b");

		// the same fit in memory: the training rows are the window's days before the
		// 4-day out-of-time holdout
		PipelineDefinition def = this.catalog.get("streamed");
		Path root = DATA_DIR.resolve("streamed");
		List<ColumnRequest> columns = WindowPlan.columns(def, List.of());
		PartitionedDirectory dir = new PartitionedDirectory(root);
		Table train = new ParquetTableReader(root).read(dir.resolve(START, LAST.minusDays(4)), columns);
		Table holdout = new ParquetTableReader(root).read(dir.resolve(LAST.minusDays(3), LAST), columns);
		FeatureEncoder encoder = FeatureEncoder.fit(train, def.features());
		LabelEncoding label = LabelEncoding.fit(train, def.labelColumn(), def.task(), def.classes());
		TrainingData data = new TrainingData(encoder.encode(train), label.encode(train), null, train.rows(),
				encoder.width());
		ModelShape shape = new ModelShape(def.task(), def.family(), def.hiddenLayers(), encoder.width(),
				label.outputs());
		Path work = Files.createTempDirectory("in-memory-fit");
		new ModelTrainer().train(new ModelTrainer.Request(shape, def.hyperparameters(), data, null, work, (e, t, s) -> {
		}));
		double[] expected;
		try (LoadedModel model = LoadedModel.load(shape, work.resolve(ModelTrainer.FINAL_PARAMS))) {
			expected = model.predict(encoder.encode(holdout), holdout.rows()).scores();
		}
		double[] actual;
		try (ModelArtifact artifact = this.store.load("streamed", 1)) {
			assertThat(artifact.metadata().training().trainRows()).isEqualTo(train.rows());
			actual = artifact.predict(holdout).scores();
		}
		assertThat(actual).hasSize(holdout.rows()).containsExactly(expected, within(1e-4));
	}

}

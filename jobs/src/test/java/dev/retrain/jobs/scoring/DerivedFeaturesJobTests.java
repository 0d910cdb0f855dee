package dev.retrain.jobs.scoring;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.dataset.Column;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.PredictionsWriter;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.features.DerivedFeature;
import dev.retrain.models.features.DerivedHistory;
import dev.retrain.models.features.DerivedState;
import dev.retrain.models.storage.Storage;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelArtifact;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Derived features end to end on real Parquet, a real retrain (DJL) and the real batch
 * scoring job: the version records their definitions and serving state; the values the
 * training computed for its rows (kept in the version's reference sample) are exactly
 * those the scoring path computes for the same rows from the data; and the scoring job
 * scores a new day with them.
 */
class DerivedFeaturesJobTests extends RetrainTestSupport {

	static final String PIPELINE = "derived";

	private static final String DERIVED = """
			scoring:
			  key: customer_id
			derived:
			  - {name: churn_rate, type: label-rate, key: period}
			  - {name: plan_churn_rate, type: label-rate, key: plan, lag-periods: 1, periods: 2}
			  - {name: spend_vs_yesterday, type: context, of: monthly_spend, stat: mean}""";

	private static final List<String> NAMES = List.of("churn_rate", "plan_churn_rate", "spend_vs_yesterday");

	@Autowired
	ScoringLauncher scoring;

	@Autowired
	JobRepository repository;

	@Test
	void aRetrainWithDerivedFeaturesStoresThemAndScoringComputesTheSameValues() throws Exception {
		Path data = sampleData(DATA_DIR, PIPELINE, 150, 17);
		definePipeline(PIPELINE, yaml(PIPELINE, PIPELINE, GOOD_MODEL, DERIVED));
		RunRecord run = run(PIPELINE, LAST, "derived");
		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		int version = this.registry.champion(PIPELINE).orElseThrow();

		try (ModelArtifact artifact = this.store.load(PIPELINE, version)) {
			ArtifactMetadata meta = artifact.metadata();
			DerivedState state = meta.derived();
			assertThat(state.definitions()).extracting(DerivedFeature::name).containsExactlyElementsOf(NAMES);
			assertThat(state.positiveClass()).isEqualTo("1");
			assertThat(state.lastDay()).isEqualTo((int) LAST.toEpochDay());
			// the state is the last periods the next day looks back on: 2 days
			assertThat(state.history().periods()).extracting(p -> p.day())
				.containsExactly((int) LAST.toEpochDay() - 1, (int) LAST.toEpochDay());
			assertThat(meta.features()).extracting(f -> f.name()).containsAll(NAMES);
			assertThat(meta.inputs()).extracting(f -> f.name()).doesNotContainAnyElementsOf(NAMES);

			// training's values, as its reference sample kept them, against the scoring
			// path's for the same rows, computed from the data's partitions
			List<ColumnRequest> columns = new ArrayList<>();
			meta.inputs()
				.forEach(f -> columns.add(f.type().name().equals("NUMERIC") ? ColumnRequest.numeric(f.name())
						: ColumnRequest.string(f.name())));
			NAMES.forEach(n -> columns.add(ColumnRequest.numeric(n)));
			ReferenceSample ref = ReferenceSample
				.read(this.store.versionDir(PIPELINE, version).resolve(ReferenceSample.FILE), columns);
			for (Table trained : List.of(ref.train(), ref.holdout())) {
				assertThat(trained.rows()).isPositive();
				int first = Integer.MAX_VALUE;
				int last = Integer.MIN_VALUE;
				for (int d : trained.epochDays()) {
					first = Math.min(first, d);
					last = Math.max(last, d);
				}
				DerivedHistory recent = artifact.recentHistory(Storage.local(data), LocalDate.ofEpochDay(first - 2),
						LocalDate.ofEpochDay(last - 1));
				Table served = artifact.withDerived(without(trained, NAMES), recent);
				int present = 0;
				for (String name : NAMES) {
					NumericColumn a = trained.numeric(name);
					NumericColumn b = served.numeric(name);
					for (int r = 0; r < trained.rows(); r++) {
						assertThat(b.isNull(r)).as("%s row %d", name, r).isEqualTo(a.isNull(r));
						if (!a.isNull(r)) {
							assertThat(b.values()[r]).as("%s row %d", name, r).isEqualTo(a.values()[r]);
							present++;
						}
					}
				}
				assertThat(present).as("derived values present").isGreaterThan(trained.rows());
			}
		}

		// the scoring job scores the next day with them, from the days before it
		LocalDate day = LAST.plusDays(1);
		Path input = ScoringFixtures.writeDay(data, day, 1, null, null);
		ScoringLauncher.Launched launched = this.scoring.launch(PIPELINE, day, null, null, "test");
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> !this.repository.getJobExecution(launched.id()).isRunning());
		ScoringLauncher.Scoring done = this.scoring.find(launched.id());
		assertThat(done.status()).as(done.failure()).isEqualTo("COMPLETED");
		Path out = DATA_DIR.resolve("predictions")
			.resolve(PIPELINE)
			.resolve(PartitionedDirectory.PREFIX + day)
			.resolve(ScoreStep.FILE);
		Table predictions = new ParquetTableReader(out.getParent()).read(
				List.of(new DataFile(out.getFileName().toString(), null, 0, 0, null)),
				List.of(ColumnRequest.numeric(PredictionsWriter.SCORE)));
		try (ModelArtifact artifact = this.store.load(PIPELINE, version)) {
			List<ColumnRequest> columns = new ArrayList<>();
			artifact.metadata()
				.inputs()
				.forEach(f -> columns.add(f.type().name().equals("NUMERIC") ? ColumnRequest.numeric(f.name())
						: ColumnRequest.string(f.name())));
			Table in = new ParquetTableReader(input.getParent())
				.read(List.of(new DataFile(input.getFileName().toString(), null, 0, 0, null)), columns);
			Table withDerived = artifact.withDerived(in, artifact.recentHistory(Storage.local(data), day));
			// yesterday's churn rate is known: no row of the new day misses it
			for (int r = 0; r < withDerived.rows(); r++) {
				assertThat(withDerived.numeric("churn_rate").isNull(r)).isFalse();
			}
			double[] expected = artifact.predict(withDerived).scores();
			assertThat(predictions.numeric(PredictionsWriter.SCORE).values()).containsExactly(expected);
		}
	}

	private static Table without(Table table, List<String> names) {
		Map<String, Column> columns = new LinkedHashMap<>();
		table.columnNames().stream().filter(n -> !names.contains(n)).forEach(n -> columns.put(n, table.column(n)));
		return new Table(columns, table.rows(), table.epochDays(), table.segments());
	}

}

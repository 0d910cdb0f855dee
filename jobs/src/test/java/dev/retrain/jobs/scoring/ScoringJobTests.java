package dev.retrain.jobs.scoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRejected;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.PredictionsWriter;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.store.ModelArtifact;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The batch scoring job on real Parquet and a real champion: a date's rows scored in
 * streamed slices, the predictions written whole with key, version, score and class; a
 * completed date is not scored twice by accident; a missing column or too many unseen
 * categories fail the scoring naming file and column and write nothing; a failed scoring
 * launched again restarts and completes.
 */
class ScoringJobTests extends RetrainTestSupport {

	static final String PIPELINE = "scored";

	static final LocalDate DAY = LAST.plusDays(1);

	@Autowired
	ScoringLauncher scoring;

	@Autowired
	JobRepository repository;

	private Path data;

	@BeforeEach
	void champion() {
		if (this.data != null) {
			return;
		}
		this.data = sampleData(DATA_DIR, PIPELINE, 150, 61);
		definePipeline(PIPELINE, yaml(PIPELINE, PIPELINE, GOOD_MODEL, "scoring:\n  key: customer_id"));
		if (this.registry.champion(PIPELINE).isEmpty()) {
			RunRecord run = run(PIPELINE, LAST, "champion");
			assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		}
	}

	private Path writeDay(LocalDate day, int copies, String drop, String plan) throws IOException {
		return ScoringFixtures.writeDay(this.data, day, copies, drop, plan);
	}

	private ScoringLauncher.Scoring awaitScoring(long id) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> !this.repository.getJobExecution(id).isRunning());
		return this.scoring.find(id);
	}

	private Path output(LocalDate day) {
		return DATA_DIR.resolve("predictions").resolve(PIPELINE).resolve(PartitionedDirectory.PREFIX + day);
	}

	private static Table predictions(Path file) {
		return new ParquetTableReader(file.getParent()).read(
				List.of(new dev.retrain.models.dataset.DataFile(file.getFileName().toString(), null, 0, 0, null)),
				List.of(new ColumnRequest(PredictionsWriter.KEY, ColumnRequest.Kind.STRING, true),
						new ColumnRequest(PredictionsWriter.VERSION, ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest(PredictionsWriter.SCORE, ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest(PredictionsWriter.LABEL, ColumnRequest.Kind.STRING, true)));
	}

	@Test
	void aDateIsScoredInStreamedSlicesAndItsPredictionsWrittenWhole() throws Exception {
		LocalDate day = DAY;
		Path input = writeDay(day, 70, null, null);
		int champion = this.registry.champion(PIPELINE).orElseThrow();

		ScoringLauncher.Launched launched = this.scoring.launch(PIPELINE, day, null, null, "test");
		ScoringLauncher.Scoring done = awaitScoring(launched.id());

		assertThat(done.status()).as(done.failure()).isEqualTo("COMPLETED");
		assertThat(done.version()).isEqualTo(champion);
		Path file = output(day).resolve(ScoreStep.FILE);
		assertThat(done.output()).isEqualTo(file.toString());
		Table p = predictions(file);
		Table in = new ParquetTableReader(input.getParent()).read(
				List.of(new dev.retrain.models.dataset.DataFile(input.getFileName().toString(), null, 0, 0, null)),
				List.of(new ColumnRequest("tenure_days", ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest("monthly_spend", ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest("sessions", ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest("support_calls", ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest("plan", ColumnRequest.Kind.STRING, true),
						new ColumnRequest("region", ColumnRequest.Kind.STRING, true)));
		// more rows than one slice: streamed
		assertThat(p.rows()).isEqualTo(in.rows()).isGreaterThan(ScoreStep.SLICE_ROWS);
		assertThat(done.rows()).isEqualTo((long) in.rows());
		try (ModelArtifact artifact = this.store.load(PIPELINE, champion)) {
			double[] expected = artifact.predict(in).scores();
			for (int r = 0; r < p.rows(); r += 997) {
				assertThat(p.strings(PredictionsWriter.KEY).values()[r]).isEqualTo("id-" + r);
				assertThat(p.numeric(PredictionsWriter.VERSION).values()[r]).isEqualTo(champion);
				assertThat(p.numeric(PredictionsWriter.SCORE).values()[r]).isCloseTo(expected[r],
						org.assertj.core.data.Offset.offset(1e-6));
				assertThat(p.strings(PredictionsWriter.LABEL).values()[r]).isEqualTo(expected[r] >= 0.5 ? "1" : "0");
			}
		}
		// nothing else is left in the partition, and no temporary file in the data dir
		try (var files = Files.list(output(day))) {
			assertThat(files.map(f -> f.getFileName().toString()).toList()).containsExactly(ScoreStep.FILE);
		}
		try (var files = Files.list(DATA_DIR)) {
			assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.startsWith("scoring-"));
		}

		assertThatThrownBy(() -> this.scoring.launch(PIPELINE, day, null, null, "test")).isInstanceOf(RunRejected.class)
			.hasMessageContaining("already scored")
			.hasMessageContaining("another run key");
		ScoringLauncher.Scoring again = awaitScoring(this.scoring.launch(PIPELINE, day, null, "again", "test").id());
		assertThat(again.status()).isEqualTo("COMPLETED");
		assertThat(this.scoring.recent(PIPELINE, 10)).extracting(ScoringLauncher.Scoring::runKey)
			.startsWith("again", "default");
	}

	@Test
	void aMissingColumnFailsNamingFileAndColumnWritesNothingAndALaunchAgainRestartsIt() throws Exception {
		LocalDate day = DAY.plusDays(1);
		writeDay(day, 1, "sessions", null);

		ScoringLauncher.Scoring failed = awaitScoring(this.scoring.launch(PIPELINE, day, null, null, "test").id());

		assertThat(failed.status()).isEqualTo("FAILED");
		assertThat(failed.failure()).contains("part-0.parquet")
			.contains("sessions")
			.doesNotContain("Exception", "dev.retrain", DATA_DIR.toAbsolutePath().toString());
		assertThat(output(day)).doesNotExist();

		// the file is fixed; the same launch restarts the failed scoring
		writeDay(day, 1, null, null);
		ScoringLauncher.Launched relaunched = this.scoring.launch(PIPELINE, day, null, null, "test");
		ScoringLauncher.Scoring done = awaitScoring(relaunched.id());
		assertThat(done.status()).as(done.failure()).isEqualTo("COMPLETED");
		assertThat(this.repository.getJobExecution(relaunched.id()).getJobInstanceId())
			.isEqualTo(this.repository.getJobExecution(failed.id()).getJobInstanceId());
		assertThat(output(day).resolve(ScoreStep.FILE)).exists();
	}

	@Test
	void tooManyUnseenCategoriesFailNamingFileAndColumnAndWriteNothing() throws Exception {
		LocalDate day = DAY.plusDays(2);
		writeDay(day, 1, null, "platinum");

		ScoringLauncher.Scoring failed = awaitScoring(this.scoring.launch(PIPELINE, day, null, null, "test").id());

		assertThat(failed.status()).isEqualTo("FAILED");
		assertThat(failed.failure()).contains("part-0.parquet")
			.contains("plan")
			.contains("never saw")
			.contains("max-unseen-category-rate");
		assertThat(output(day)).doesNotExist();
	}

	@Test
	void anUnknownVersionIsRefused() {
		assertThatThrownBy(() -> this.scoring.launch(PIPELINE, DAY, 99, null, "test"))
			.isInstanceOf(dev.retrain.jobs.registry.VersionNotFound.class)
			.hasMessageContaining("99");
	}

}

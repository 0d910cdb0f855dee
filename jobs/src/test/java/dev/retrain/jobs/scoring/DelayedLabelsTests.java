package dev.retrain.jobs.scoring;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.runs.RunRecord;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Labels that land after scoring: joined with the stored predictions by key, the realised
 * metric recorded per day and version; labels whose keys match nothing fail the join
 * naming file and column; the drift check measures the champion's performance on
 * production's joined rows instead of re-scoring, and sees labels that went bad.
 */
class DelayedLabelsTests extends RetrainTestSupport {

	static final String PIPELINE = "labelled";

	@Autowired
	ScoringLauncher scoring;

	@Autowired
	LabelJoins joins;

	@Autowired
	RealisedPerformance realised;

	@Autowired
	DriftChecker checker;

	@Autowired
	JobRepository repository;

	private void awaitJob(long id) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> !this.repository.getJobExecution(id).isRunning());
	}

	@Test
	void labelsAreJoinedPerDayAndVersionAndTheDriftCheckUsesThem() throws Exception {
		Path data = sampleData(DATA_DIR, PIPELINE, 150, 81);
		Path labels = DATA_DIR.resolve("labels-" + PIPELINE);
		definePipeline(PIPELINE, yaml(PIPELINE, PIPELINE, GOOD_MODEL, """
				scoring:
				  key: customer_id
				labels:
				  path: %s
				drift:
				  current-days: 3
				  min-rows: 100
				  trigger-on: [performance]""".formatted(labels)));
		RunRecord run = run(PIPELINE, LAST, "champion");
		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		LocalDate[] days = { LAST.plusDays(1), LAST.plusDays(2), LAST.plusDays(3) };
		for (LocalDate day : days) {
			ScoringFixtures.writeDay(data, day, 2, null, null);
			long id = this.scoring.launch(PIPELINE, day, null, null, "test").id();
			awaitJob(id);
			assertThat(this.scoring.find(id).status()).isEqualTo("COMPLETED");
		}
		// the labels land: the first day's true, the second's keyed by another id, the
		// third's all wrong
		ScoringFixtures.writeLabels(labels, data, days[0], 2, "id-", false);
		ScoringFixtures.writeLabels(labels, data, days[1], 2, "other-", false);
		ScoringFixtures.writeLabels(labels, data, days[2], 2, "id-", true);

		long first = this.joins.launch(PIPELINE, days[0], "test");
		awaitJob(first);
		assertThat(this.joins.status(first).status()).isEqualTo("COMPLETED");
		List<RealisedPerformance.Day> recorded = this.realised.between(PIPELINE, days[0], days[0]);
		assertThat(recorded).singleElement().satisfies(d -> {
			assertThat(d.version()).isEqualTo(1);
			assertThat(d.metric()).isEqualTo("roc_auc");
			assertThat(d.value()).isBetween(0.6, 1.0);
			assertThat(d.labelledRows()).isEqualTo(d.scoredRows()).isPositive();
			assertThat(d.metrics()).containsKeys("accuracy", "log_loss");
		});

		long mismatched = this.joins.launch(PIPELINE, days[1], "test");
		awaitJob(mismatched);
		LabelJoins.Status failed = this.joins.status(mismatched);
		assertThat(failed.status()).isEqualTo("FAILED");
		assertThat(failed.failure()).contains("labels.parquet")
			.contains("customer_id")
			.contains("matches a prediction");
		assertThat(this.realised.between(PIPELINE, days[1], days[1])).isEmpty();

		long flipped = this.joins.launch(PIPELINE, days[2], "test");
		awaitJob(flipped);
		double realisedFlipped = this.realised.between(PIPELINE, days[2], days[2]).get(0).value();
		assertThat(realisedFlipped).isLessThan(0.4);

		// the drift check of the three days: production's joined rows (days 1 and 3; day
		// 2's labels match nothing and are left out), and the wrong labels show
		DriftReport report = this.checker.check(PIPELINE, days[2], "test");
		DriftReport.PerformanceDrift performance = report.performance();
		assertThat(performance.source()).isEqualTo("production");
		long joined = this.realised.between(PIPELINE, days[0], days[2])
			.stream()
			.mapToLong(RealisedPerformance.Day::labelledRows)
			.sum();
		assertThat((long) performance.labelledRows()).isEqualTo(joined);
		assertThat(performance.current()).isCloseTo(0.5, within(0.15));
		assertThat(performance.drifted()).isTrue();
		assertThat(report.summary()).contains("dropped in production");
	}

}

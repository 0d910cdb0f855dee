package dev.retrain.jobs.scoring;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.dataset.ParquetTableWriter;
import dev.retrain.models.dataset.PartitionedDirectory;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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

		// a day whose labels are all of one class: roc_auc is not defined there, so it
		// is recorded as not measured (null, not NaN), and a check over that day alone
		// does not call production "stable"
		LocalDate conflicting = LAST.plusDays(4);
		LocalDate oneClass = LAST.plusDays(5);
		for (LocalDate day : List.of(conflicting, oneClass)) {
			ScoringFixtures.writeDay(data, day, 2, null, null);
			long id = this.scoring.launch(PIPELINE, day, null, null, "test").id();
			awaitJob(id);
		}
		ScoringFixtures.writeDay(data, LAST.plusDays(6), 1, null, null);
		int n = ScoringFixtures.last(data).rows() * 2;
		String[] ids = new String[n];
		String[] ones = new String[n];
		for (int i = 0; i < n; i++) {
			ids[i] = "id-" + i;
			ones[i] = "1";
		}
		new ParquetTableWriter().strings("customer_id", ids)
			.strings("churned", ones)
			.write(labels.resolve(PartitionedDirectory.PREFIX + oneClass).resolve("labels.parquet"));
		long single = this.joins.launch(PIPELINE, oneClass, "test");
		awaitJob(single);
		assertThat(this.joins.status(single).status()).isEqualTo("COMPLETED");
		assertThat(this.realised.between(PIPELINE, oneClass, oneClass)).singleElement().satisfies(d -> {
			assertThat(d.value()).as("roc_auc of one class").isNull();
			assertThat(d.metrics()).containsEntry("roc_auc", null).containsKey("accuracy");
		});
		// (the window of LAST+6: day 4's labels are refused below, day 5's are of one
		// class, day 6 has none)
		DriftReport oneClassReport = this.checker.check(PIPELINE, LAST.plusDays(6), "test");
		assertThat(oneClassReport.summary()).doesNotContain("stable in production")
			.contains("performance not measured");
		assertThat(oneClassReport.signals().get("performance")).isNull();

		// the same key labelled yes and no: which is true cannot be told, the day is
		// refused naming file, column and a key
		String[] both = new String[2 * n];
		String[] yesNo = new String[2 * n];
		for (int i = 0; i < 2 * n; i++) {
			both[i] = "id-" + (i % n);
			yesNo[i] = (i < n) ? "1" : "0";
		}
		new ParquetTableWriter().strings("customer_id", both)
			.strings("churned", yesNo)
			.write(labels.resolve(PartitionedDirectory.PREFIX + conflicting).resolve("labels.parquet"));
		long twice = this.joins.launch(PIPELINE, conflicting, "test");
		awaitJob(twice);
		LabelJoins.Status refused = this.joins.status(twice);
		assertThat(refused.status()).isEqualTo("FAILED");
		assertThat(refused.failure()).contains("labels.parquet")
			.contains("customer_id")
			.contains("key 'id-0' is labelled both '1' and '0'")
			.doesNotContain("Exception", "dev.retrain", DATA_DIR.toAbsolutePath().toString());
		assertThat(this.realised.between(PIPELINE, conflicting, conflicting)).isEmpty();
	}

}

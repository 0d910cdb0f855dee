package dev.retrain.jobs.drift;

import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.JobsTestApplication.TestClock;
import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.drift.DriftReport.FeatureDrift;
import dev.retrain.jobs.drift.DriftReport.Status;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.generator.SampleDataSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drift checks on generated data with known drifts, and drift events turned into at most
 * one retrain.
 */
class DriftCheckTests extends RetrainTestSupport {

	static final LocalDate START = LocalDate.parse("2024-01-01");

	@Autowired
	DriftChecker checker;

	@Autowired
	DriftEvents events;

	@Autowired
	PipelineLocks locks;

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	TestClock clock;

	static String yaml(String name, String drift) {
		return PipelineFixtures.yaml(name, name, PipelineFixtures.GOOD_MODEL, "drift:\n" + drift.indent(2))
			.replace("window-days: 20", "window-days: 60")
			.replace("days: 4", "days: 7");
	}

	private void data(String dir, SampleDataSpec spec) throws IOException {
		new SampleDataGenerator().write(DATA_DIR.resolve(dir), spec);
	}

	private void trainChampion(String pipeline, LocalDate asOf) {
		RunRecord run = run(pipeline, asOf, "champion");
		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.registry.champion(pipeline)).isPresent();
		// the champion was trained "a while ago": well past any cooldown
		this.clock.advance(Duration.ofDays(60));
	}

	private void awaitNoRetrain(String pipeline) {
		await().atMost(Duration.ofMinutes(2)).until(() -> !this.locks.isLocked(pipeline));
	}

	@Test
	void covariateShiftIsFlaggedOnItsDayWithTheFeaturesThatMovedAndStartsExactlyOneRetrain() throws IOException {
		LocalDate shiftDay = START.plusDays(74);
		data("shift", SampleDataSpec.stable(START, 90, 300, 41).withCovariateShift(shiftDay, 1.0));
		definePipeline("shift", yaml("shift", "current-days: 1\nalpha: 0.05\ncooldown-hours: 720"));
		trainChampion("shift", START.plusDays(59));

		List<DriftReport> reports = new ArrayList<>();
		for (LocalDate day = START.plusDays(60); !day.isAfter(START.plusDays(89)); day = day.plusDays(1)) {
			reports.add(this.checker.check("shift", day, "test"));
			awaitNoRetrain("shift");
			this.clock.advance(Duration.ofDays(1));
		}

		assertThat(reports).filteredOn(r -> r.asOf().isBefore(shiftDay))
			.allSatisfy(r -> assertThat(r.status()).as(r.asOf() + ": " + r.summary()).isEqualTo(Status.NO_DRIFT));
		DriftReport onTheDay = reports.stream().filter(r -> r.asOf().equals(shiftDay)).findFirst().orElseThrow();
		assertThat(onTheDay.status()).as(onTheDay.summary()).isEqualTo(Status.DRIFT);
		assertThat(onTheDay.features()).filteredOn(FeatureDrift::drifted)
			.extracting(FeatureDrift::feature)
			.contains("tenure_days", "monthly_spend")
			.doesNotContain("region");
		assertThat(onTheDay.outcome()).startsWith(DriftEvents.STARTED_RUN);
		// the summary names the drifted features in words, and says when none drifted
		assertThat(onTheDay.summary()).containsPattern("\\d+ of \\d+ features drifted \\(.*tenure_days.*\\)")
			.doesNotContain("[");
		assertThat(reports).filteredOn(r -> r.features().stream().noneMatch(FeatureDrift::drifted))
			.isNotEmpty()
			.allSatisfy(r -> assertThat(r.summary()).startsWith("no drift: no feature drifted ("));
		assertThat(onTheDay.features()).allSatisfy(f -> assertThat(f.why()).isNotBlank());

		List<RunRecord> driftRuns = this.runs.recent("shift", 100)
			.stream()
			.filter(r -> r.trigger().equals("drift"))
			.toList();
		assertThat(driftRuns).hasSize(1);
		assertThat(driftRuns.get(0).asOf()).isEqualTo(shiftDay);
		assertThat(driftRuns.get(0).cause()).contains("drift report");
		assertThat(this.events.recent("shift", 100)).extracting(DriftEvent::outcome)
			.isSubsetOf(DriftEvents.STARTED_RUN, DriftEvents.SUPPRESSED)
			.containsOnlyOnce(DriftEvents.STARTED_RUN);
	}

	@Test
	void conceptDriftWithoutInputDriftIsCaughtByThePerformanceSignal() throws IOException {
		LocalDate driftDay = START.plusDays(74);
		data("concept", SampleDataSpec.stable(START, 80, 400, 42).withConceptDrift(driftDay));
		definePipeline("concept", yaml("concept",
				"current-days: 1\nalpha: 0.01\nperformance-floor: 0.08\ntrigger-on: [performance]\ncooldown-hours: 10000"));
		trainChampion("concept", START.plusDays(59));

		DriftReport before = this.checker.check("concept", driftDay.minusDays(1), "test");
		DriftReport after = this.checker.check("concept", driftDay, "test");
		awaitNoRetrain("concept");

		assertThat(before.status()).as(before.summary()).isEqualTo(Status.NO_DRIFT);
		assertThat(after.status()).as(after.summary()).isEqualTo(Status.DRIFT);
		assertThat(after.performance().drifted()).isTrue();
		assertThat(after.performance().current()).isLessThan(after.performance().holdout() - 0.05);
		assertThat(after.signals().get("input")).as("inputs did not move").isFalse();
		// the label-free estimate (CBPE) reads confidence, which a concept drift does not
		// move: before the drift it agrees with the realised accuracy, after it does not
		assertThat(before.estimate().realised()).isBetween(before.estimate().low() - 0.03,
				before.estimate().high() + 0.03);
		assertThat(after.estimate().estimate()).isGreaterThan(after.estimate().realised() + 0.02);
		assertThat(after.signals().get("estimate")).as("so the estimate signal stays quiet").isFalse();
	}

	@Test
	void theCostTriggerFiresWhenTheStalenessCostSinceTheLastRetrainReachesThePriceOfOne() throws IOException {
		LocalDate driftDay = START.plusDays(74);
		data("costly", SampleDataSpec.stable(START, 80, 400, 43).withConceptDrift(driftDay));
		definePipeline("costly", yaml("costly", "current-days: 1\ntrigger-on: [cost]\ncooldown-hours: 10000\n"
				+ "cost: {retrain-cost: 5000, value-per-point: 1}"));
		trainChampion("costly", START.plusDays(59));

		List<DriftReport> checks = new java.util.ArrayList<>();
		for (int d = -2; d <= 2; d++) {
			checks.add(this.checker.check("costly", driftDay.plusDays(d), "test"));
		}
		awaitNoRetrain("costly");

		double sum = 0;
		for (DriftReport r : checks) {
			DriftReport.CostSignal c = r.cost();
			// the metric lost against the holdout, in points, on the labelled rows, at 1
			// a point and row, summed since the champion's run, never below 0
			assertThat(c.loss()).isEqualTo(r.performance().holdout() - r.performance().current());
			assertThat(c.staleness()).isCloseTo(c.loss() * 100 * c.rows(), org.assertj.core.data.Offset.offset(1e-6));
			sum = Math.max(0, sum + c.staleness());
			assertThat(c.sinceLastRetrain()).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-6));
			assertThat(c.due()).isEqualTo(sum >= 5000);
			assertThat(r.status()).as(r.summary()).isEqualTo(c.due() ? Status.DRIFT : Status.NO_DRIFT);
		}
		assertThat(checks.get(1).cost().due()).as("the days before the drift cost little").isFalse();
		assertThat(checks.get(4).cost().due()).as("the concept drift costs more than a retrain").isTrue();
		assertThat(checks.get(4).summary()).contains("staleness cost").contains("due");

		// a retrain starts the sum again
		assertThat(run("costly", driftDay.plusDays(2), "retrained").status()).isEqualTo("COMPLETED");
		this.clock.advance(Duration.ofHours(1));
		DriftReport next = this.checker.check("costly", driftDay.plusDays(3), "test");
		assertThat(next.cost().sinceLastRetrain()).isEqualTo(next.cost().staleness());
	}

	@Test
	void twoHundredDaysWithoutDriftRaiseNoMoreFalseAlarmsThanTheConfiguredRate() throws IOException {
		data("calm", SampleDataSpec.stable(START, 260, 150, 43));
		definePipeline("calm", yaml("calm", "current-days: 1\nalpha: 0.05\nmin-rows: 80\ncooldown-hours: 100000"));
		trainChampion("calm", START.plusDays(59));

		int alarms = 0;
		for (LocalDate day = START.plusDays(60); day.isBefore(START.plusDays(260)); day = day.plusDays(1)) {
			DriftReport r = this.checker.check("calm", day, "test");
			assertThat(r.status()).isIn(Status.DRIFT, Status.NO_DRIFT);
			if (r.status() == Status.DRIFT) {
				alarms++;
			}
			awaitNoRetrain("calm");
		}
		assertThat(alarms).as("false alarms in 200 checks at alpha 0.05").isLessThanOrEqualTo(10);
	}

	@Test
	void aThousandEventsWithinASecondStartOneRunAndAreAllRecorded() throws Exception {
		PipelineFixtures.sampleData(DATA_DIR, "storm", 150, 44);
		definePipeline("storm", PipelineFixtures.yaml("storm", "storm", PipelineFixtures.GOOD_MODEL, ""));
		ExecutorService pool = Executors.newFixedThreadPool(8);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<DriftEvent>> results = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			String id = "alert-" + i;
			Callable<DriftEvent> submit = () -> {
				go.await();
				return this.events.submit(new DriftEvents.Submission("storm", "monitor", id, "critical", "psi high",
						PipelineFixtures.LAST));
			};
			results.add(pool.submit(submit));
		}
		long start = System.nanoTime();
		go.countDown();
		List<DriftEvent> outcomes = new ArrayList<>();
		for (Future<DriftEvent> f : results) {
			outcomes.add(f.get());
		}
		long millis = (System.nanoTime() - start) / 1_000_000;
		pool.shutdown();

		assertThat(millis).as("all 1000 answered").isLessThan(30_000);
		assertThat(outcomes).filteredOn(e -> e.outcome().equals(DriftEvents.STARTED_RUN)).hasSize(1);
		assertThat(outcomes).extracting(DriftEvent::outcome)
			.isSubsetOf(DriftEvents.STARTED_RUN, DriftEvents.MERGED, DriftEvents.SUPPRESSED);
		assertThat(this.events.count("storm")).isEqualTo(1000);
		long runId = outcomes.stream()
			.filter(e -> e.outcome().equals(DriftEvents.STARTED_RUN))
			.findFirst()
			.orElseThrow()
			.runId();
		assertThat(outcomes).filteredOn(e -> e.outcome().equals(DriftEvents.MERGED))
			.allSatisfy(e -> assertThat(e.runId()).isIn(runId, null));
		awaitEnd(runId);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM retrain_run WHERE pipeline = 'storm'", Long.class))
			.isEqualTo(1);

		DriftEvent again = this.events
			.submit(new DriftEvents.Submission("storm", "monitor", "alert-7", "critical", "x", null));
		assertThat(again.duplicate()).isTrue();
		assertThat(this.events.count("storm")).isEqualTo(1000);
	}

}

package dev.retrain.jobs.backtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.backtest.BacktestReport.Period;
import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.generator.SampleDataSpec;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.training.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Backtests on generated data with a known drift: simulated schedules, drift policies, honest numbers, no side effects. */
class BacktestTests extends RetrainTestSupport {

	static final LocalDate START = LocalDate.parse("2024-01-01");

	@Test
	void policiesReplayedInSimulatedTimeRetrainWhenTheyShouldAndLeaveTheLiveRegistryAlone() throws Exception {
		LocalDate shiftDay = START.plusDays(120);
		new SampleDataGenerator().write(DATA_DIR.resolve("history"),
				SampleDataSpec.stable(START, 160, 120, 101).withCovariateShift(shiftDay, 1.2));
		String yaml = PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, "")
			.replace("window-days: 20", "window-days: 40")
			.replace("days: 4", "days: 5");
		List<BacktestPolicy> policies = PolicyFile.parse("""
				policies:
				  - {name: never, type: never}
				  - {name: monthly, type: schedule, cron: "0 0 0 1 * ?"}
				  - name: drift
				    type: drift
				    drift: {current-days: 10, alpha: 0.05, trigger-on: [input], cooldown-hours: 360}
				""").toPolicies();
		Path out = Files.createTempDirectory("backtest");
		List<String> progress = new ArrayList<>();

		BacktestReport report = new Backtester().run(new Backtester.Request(yaml, DATA_DIR, out.resolve("sandboxes"), null,
				null, 10, 40, policies), progress::add);
		ReportWriter.write(report, out);

		assertThat(report.policies()).extracting(PolicyResult::name).containsExactly("never", "monthly", "drift");
		PolicyResult never = report.policies().get(0);
		PolicyResult monthly = report.policies().get(1);
		PolicyResult drift = report.policies().get(2);
		assertThat(never.periods()).isEqualTo(12);
		assertThat(never.retrains()).isZero();

		// the cron fires on the 1st of each month in simulated time: the period containing it retrains at its end
		List<LocalDate> monthlyRetrains = monthly.timeline().stream().filter(Period::retrained).map(Period::end).toList();
		List<LocalDate> expected = new ArrayList<>();
		for (Period p : monthly.timeline()) {
			LocalDate first = p.end().plusDays(1).withDayOfMonth(1);
			if (!first.isBefore(p.start().plusDays(1)) && !first.isAfter(p.end().plusDays(1))) {
				expected.add(p.end());
			}
		}
		assertThat(monthlyRetrains).isEqualTo(expected).isNotEmpty();

		// the drift policy retrains after the shift and not before
		List<LocalDate> driftRetrains = drift.timeline().stream().filter(Period::retrained).map(Period::end).toList();
		assertThat(driftRetrains).isNotEmpty().allSatisfy(d -> assertThat(d).isAfterOrEqualTo(shiftDay));

		// the reported numbers agree with a recomputation from the per-period predictions
		for (PolicyResult p : report.policies()) {
			double sum = 0;
			for (Period t : p.timeline()) {
				double again = Metrics.compute(new Predictions(Task.BINARY_CLASSIFICATION, 1, t.predictions()), t.labels())
					.get("roc_auc");
				assertThat(t.metric()).isCloseTo(again, within(1e-12));
				sum += again;
			}
			assertThat(p.meanMetric()).isCloseTo(sum / p.timeline().size(), within(1e-12));
			assertThat(p.retrains()).isEqualTo((int) p.timeline().stream().filter(Period::retrained).count());
		}

		// nothing reached the live application: no versions, no runs, no store directory for the pipeline
		assertThat(this.registry.versions("history")).isEmpty();
		assertThat(this.runs.recent("history", 10)).isEmpty();
		assertThat(Files.exists(this.store.root().resolve("history"))).isFalse();
		assertThat(Files.readString(out.resolve("report.html"))).contains("<svg").contains("monthly");
		assertThat(Files.readString(out.resolve("periods.csv")).lines()).hasSize(1 + 36);
		assertThat(progress).anyMatch(l -> l.contains("policy drift"));
	}

}

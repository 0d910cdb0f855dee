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
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.pipeline.PipelineConfigInvalid;
import dev.retrain.models.features.Task;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.generator.SampleDataSpec;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/**
 * Backtests on generated data with a known drift: simulated schedules, drift policies,
 * honest numbers, no side effects.
 */
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
		// no never policy: the backtest adds train once as a baseline
		List<BacktestPolicy> policies = PolicyFile.parse("""
				policies:
				  - {name: monthly, type: schedule, cron: "0 0 0 1 * ?"}
				  - name: drift
				    type: drift
				    drift: {current-days: 10, alpha: 0.05, trigger-on: [input], cooldown-hours: 360}
				  - name: monthly-or-drift
				    type: combined
				    cron: "0 0 0 1 * ?"
				    drift: {current-days: 10, alpha: 0.05, trigger-on: [input], cooldown-hours: 360}
				""").toPolicies();
		Path out = Files.createTempDirectory("backtest");
		List<String> progress = new ArrayList<>();

		BacktestReport report = new Backtester().run(
				new Backtester.Request(yaml, DATA_DIR, out.resolve("sandboxes"), null, null, 10, 40, policies),
				progress::add);
		ReportWriter.write(report, out);

		assertThat(report.policies()).extracting(PolicyResult::name)
			.containsExactly(Backtester.TRAIN_ONCE, "monthly", "drift", "monthly-or-drift");
		PolicyResult never = report.policies().get(0);
		PolicyResult monthly = report.policies().get(1);
		PolicyResult drift = report.policies().get(2);
		PolicyResult combined = report.policies().get(3);
		assertThat(never.periods()).isEqualTo(12);
		assertThat(never.retrains()).isZero();
		assertThat(report.baselines().get(0).name()).contains("train once");
		assertThat(report.baselines().get(0).meanMetric()).isEqualTo(never.meanMetric());
		assertThat(report.baselines().get(1).name()).isEqualTo("previous period's majority class");

		// the cron fires on the 1st of each month in simulated time: the period
		// containing it retrains at its end
		List<LocalDate> monthlyRetrains = monthly.timeline()
			.stream()
			.filter(Period::retrained)
			.map(Period::end)
			.toList();
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
		// every period of a drift policy carries its drift check's report; each retrain
		// is one the check started
		assertThat(drift.timeline()).allSatisfy(t -> assertThat(t.drift()).isNotNull());
		assertThat(drift.timeline()).filteredOn(Period::retrained).allSatisfy(t -> {
			assertThat(t.drift().status()).isEqualTo(DriftReport.Status.DRIFT);
			assertThat(t.drift().outcome()).startsWith("STARTED_RUN");
			assertThat(t.drift().features()).anyMatch(DriftReport.FeatureDrift::drifted);
		});
		assertThat(monthly.timeline()).allSatisfy(t -> assertThat(t.drift()).isNull());

		// schedule and drift together: a retrain at every fire of the cron, and at every
		// drift the check started
		List<LocalDate> combinedExpected = combined.timeline()
			.stream()
			.filter(t -> expected.contains(t.end())
					|| (t.drift().outcome() != null && t.drift().outcome().startsWith("STARTED_RUN")))
			.map(Period::end)
			.toList();
		assertThat(combined.timeline().stream().filter(Period::retrained).map(Period::end).toList())
			.isEqualTo(combinedExpected)
			.containsAll(expected);
		assertThat(combined.timeline()).filteredOn(t -> t.retrained() && !expected.contains(t.end()))
			.as("drift retrains between the cron's fires")
			.isNotEmpty();

		// the reported numbers agree with a recomputation from the per-period predictions
		for (PolicyResult p : report.policies()) {
			double sum = 0;
			for (Period t : p.timeline()) {
				double again = Metrics
					.compute(new Predictions(Task.BINARY_CLASSIFICATION, 1, t.predictions()), t.labels())
					.get("roc_auc");
				assertThat(t.metric()).isCloseTo(again, within(1e-12));
				sum += again;
			}
			assertThat(p.meanMetric()).isCloseTo(sum / p.timeline().size(), within(1e-12));
			assertThat(p.retrains()).isEqualTo((int) p.timeline().stream().filter(Period::retrained).count());
		}

		// nothing reached the live application: no versions, no runs, no store directory
		// for the pipeline
		assertThat(this.registry.versions("history")).isEmpty();
		assertThat(this.runs.recent("history", 10)).isEmpty();
		assertThat(Files.exists(this.store.root().resolve("history"))).isFalse();
		assertThat(Files.readString(out.resolve("report.html"))).contains("<svg")
			.contains("monthly")
			.contains("<details><summary>drift: " + drift.retrains() + " retrains");
		List<String> csv = Files.readString(out.resolve("periods.csv")).lines().toList();
		assertThat(csv).hasSize(1 + 4 * 12);
		assertThat(csv).filteredOn(l -> l.startsWith("drift,"))
			.allSatisfy(l -> assertThat(l).matches(
					"drift,[^,]+,[^,]+,\\d+,[0-9.]+,\\d*,(true|false),(true|false),(DRIFT|NO_DRIFT|INSUFFICIENT_DATA),.*"));
		assertThat(progress).anyMatch(l -> l.contains("policy drift"));
	}

	@Test
	void labelsLateKeepEveryLabelOfTheLastPeriodsOutOfRetrainsAndChecksAndTheReportShowsZeroOneAndN() throws Exception {
		// the label rule changes on day 60; 10-day periods after 40 days of warm-up
		new SampleDataGenerator().write(DATA_DIR.resolve("history"),
				SampleDataSpec.stable(START, 100, 120, 103).withConceptDrift(START.plusDays(60)));
		String yaml = PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, "");
		PolicyFile file = PolicyFile.parse("""
				period-days: 10
				warmup-days: 40
				label-delay-periods: 2
				policies:
				  - {name: daily, type: schedule, cron: "0 0 0 * * ?"}
				  - name: perf
				    type: drift
				    drift: {current-days: 30, alpha: 0.1, trigger-on: [performance], cooldown-hours: 0}
				""");
		Path out = Files.createTempDirectory("backtest-delay");

		BacktestReport report = new Backtester().run(file.request(yaml, DATA_DIR, out.resolve("sandboxes")), l -> {
		});
		ReportWriter.write(report, out);

		// a row per policy per delay, train once included, each named and marked with its
		// delay
		assertThat(report.policies()).extracting(PolicyResult::name, PolicyResult::labelDelayPeriods)
			.containsExactly(tuple("train-once.delay-0", 0), tuple("train-once.delay-1", 1),
					tuple("train-once.delay-2", 2), tuple("daily.delay-0", 0), tuple("daily.delay-1", 1),
					tuple("daily.delay-2", 2), tuple("perf.delay-0", 0), tuple("perf.delay-1", 1),
					tuple("perf.delay-2", 2));
		assertThat(report.policies()).allSatisfy(p -> assertThat(p.periods()).isEqualTo(6));
		for (PolicyResult p : report.policies()) {
			int delayDays = 10 * p.labelDelayPeriods();
			// every retrain (the cron's, and those a drift event started) trained on the
			// window that ends N periods before the decision: no label of the last N
			// periods went into it
			assertThat(p.timeline()).filteredOn(Period::retrained)
				.allSatisfy(t -> assertThat(t.trainedThrough()).as(p.name() + " at " + t.end())
					.isEqualTo(t.end().minusDays(delayDays)));
			// a check's performance part scored only the rows whose labels had arrived:
			// of its 30-day window (this period and the two before), the periods up to N
			// before this one
			for (int i = 2; i < p.timeline().size(); i++) {
				Period t = p.timeline().get(i);
				if (t.drift() == null || t.drift().performance() == null) {
					continue;
				}
				int labelled = 0;
				for (int k = i - 2; k <= i - p.labelDelayPeriods(); k++) {
					labelled += p.timeline().get(k).rows();
				}
				assertThat(t.drift().performance().labelledRows()).as(p.name() + " at " + t.end()).isEqualTo(labelled);
			}
			// the evaluation is not delayed: each period is scored on all its rows
			for (int i = 0; i < p.timeline().size(); i++) {
				assertThat(p.timeline().get(i).rows()).isEqualTo(report.policies().get(0).timeline().get(i).rows());
			}
		}
		PolicyResult daily0 = report.policies().get(3);
		PolicyResult daily2 = report.policies().get(5);
		assertThat(daily0.retrains()).isEqualTo(6);
		assertThat(daily2.retrains()).isEqualTo(6);
		// the label rule flips on 2024-03-01 (the third period); the retrain at its end
		// (2024-03-10) trains on labels up to 2024-02-19 with labels two periods late,
		// so the next period is scored by a model that has seen none of the flipped
		// labels: it still follows the old rule (AUC under 0.5, as train once), while
		// with no delay it had learnt from them
		assertThat(daily2.timeline().get(2).trainedThrough()).isEqualTo(LocalDate.parse("2024-02-19"));
		assertThat(daily2.timeline().get(3).metric()).isLessThan(0.5);
		assertThat(daily0.timeline().get(3).metric()).isGreaterThan(daily2.timeline().get(3).metric() + 0.1);
		// the drift policy's checks had labels, and a positive one started a retrain at
		// every delay
		for (PolicyResult perf : report.policies().subList(6, 9)) {
			assertThat(perf.timeline()).as(perf.name())
				.anySatisfy(t -> assertThat(t.drift().performance()).isNotNull());
			assertThat(perf.timeline()).as(perf.name()).anySatisfy(t -> assertThat(t.retrained()).isTrue());
		}
		// the report's files carry the rows: the table with its column, the JSON, the CSV
		assertThat(Files.readString(out.resolve("report.html"))).contains("<th>labels late (periods)</th>")
			.contains("<tr><td>daily.delay-2</td>")
			.contains("labels 2 periods late");
		assertThat(Files.readString(out.resolve("report.json"))).contains("\"labelDelayPeriods\":2")
			.contains("\"trainedThrough\"");
		assertThat(Files.readString(out.resolve("periods.csv")).lines()).filteredOn(l -> l.startsWith("perf.delay-1,"))
			.hasSize(6);
	}

	@Test
	void aBadPolicyFileIsRefusedBeforeAnythingRunsWithThePolicyAndFieldNamed() throws Exception {
		assertThat(refusal("policies:\n  - {name: a, type: sometimes}\n"))
			.contains("field 'policies[0].type': policy 'a': "
					+ "'sometimes' is not one of [combined, drift, fixed-psi, never, schedule]");
		assertThat(refusal("policies:\n  - {name: a, type: never}\n  - {name: a, type: never}\n"))
			.contains("field 'policies[1].name': policy 'a': the name is used twice");
		assertThat(refusal("policies:\n  - {name: y, type: schedule}\n"))
			.contains("policy 'y': a schedule needs a cron");
		assertThat(refusal("policies:\n  - {name: y, type: schedule, cron: \"0 0 0 31 2 ? x\"}\n"))
			.contains("policy cron '0 0 0 31 2 ? x'");
		assertThat(refusal("policies:\n  - {name: d, type: drift}\n"))
			.contains("policy 'd': a drift policy needs a drift section");
		assertThat(refusal("policies:\n  - {name: p, type: fixed-psi, threshold: -1}\n"))
			.contains("field 'policies[0].threshold': policy 'p': threshold must be a positive number, was -1.0");
		assertThat(refusal("from: 2024-13-01\npolicies:\n  - {name: n, type: never}\n"))
			.contains("field 'from': '2024-13-01' is not a date");
		// a drift section the pipeline loader refuses: named with its policy and field,
		// before the first policy runs
		assertThat(refusal(
				"policies:\n  - {name: n, type: never}\n  - {name: d, type: drift, drift: {alpha: 0.05, cooldwn-hours: 5}}\n"))
			.contains("policy 'd'")
			.contains("cooldwn-hours");
		// every problem of the file at once
		assertThat(refusal("period-days: 0\npolicies:\n  - {name: n, type: never, cron: 5}\n  - {name: x, typo: 1}\n"))
			.contains("field 'period-days': must be >= 1, was 0")
			.contains("field 'policies[0]': policy 'n': a never policy takes no cron or drift section")
			.contains("field 'policies[1].typo': policy 'x': unknown field 'typo'")
			.contains("field 'policies[1].type': policy 'x': type must be one of");
		assertThat(refusal("policies: [\n")).contains("policy file: not valid YAML");
		assertThat(refusal("warmup-days: 400\npolicies:\n  - {name: n, type: never}\n"))
			.contains("no whole 30-day period after 400 days");
	}

	@Test
	void aPipelineWhoseDataIsInObjectStorageIsRefusedSayingWhatToDo() throws Exception {
		String yaml = PipelineFixtures.yaml("remote", "s3://bucket/remote", PipelineFixtures.GOOD_MODEL, "");
		assertThat(refusal("policies:\n  - {name: n, type: never}\n", yaml)).contains("data.path is s3://bucket/remote")
			.contains("backtests read local data only");
	}

	private String refusal(String policyFile) throws Exception {
		new SampleDataGenerator().write(DATA_DIR.resolve("refused"), SampleDataSpec.stable(START, 60, 20, 7));
		return refusal(policyFile, PipelineFixtures.yaml("refused", "refused", PipelineFixtures.GOOD_MODEL, ""));
	}

	private String refusal(String policyFile, String yaml) throws Exception {
		Path out = Files.createTempDirectory("refused");
		try {
			Backtester.Request req = PolicyFile.parse(policyFile).request(yaml, DATA_DIR, out);
			new Backtester().check(req);
		}
		catch (IllegalArgumentException | PipelineConfigInvalid ex) {
			try (var files = Files.list(out)) {
				assertThat(files).as("nothing ran").isEmpty();
			}
			return ex.getMessage();
		}
		throw new AssertionError("accepted: " + policyFile);
	}

}

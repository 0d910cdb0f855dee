package dev.retrain.jobs.backtest;

import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.runs.RunRejected;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.generator.SampleDataSpec;
import dev.retrain.models.json.Json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Backtests as Spring Batch jobs: failed or stopped part-way, a backtest keeps the
 * policies it replayed; restarted, it replays only the others, as the same job instance
 * and id, and reports them all.
 */
class BacktestJobTests extends RetrainTestSupport {

	@Autowired
	BacktestLauncher backtests;

	@Autowired
	JobRepository jobs;

	static final String POLICIES = """
			period-days: 5
			warmup-days: 20
			policies:
			  - {name: weekly, type: schedule, cron: "0 0 0 ? * MON"}
			  - {name: psi, type: fixed-psi, threshold: 0.25}
			""";

	@Test
	void aBacktestThatFailedAfterItsFirstPolicyRestartsWithTheOthersOnlyAndReportsThemAll() throws Exception {
		definePipeline("resumed", pipeline("resumed"));
		long id = this.backtests.start("resumed", POLICIES, "test");
		BacktestDirectory dir = BacktestDirectory.of(DATA_DIR, id);
		assertThat(dir.path().resolve("policies.yaml")).content().contains("fixed-psi");
		// the second policy's result cannot be written (a directory is in its way): it
		// fails after train once
		Files.createDirectories(dir.result(1).resolve("in-the-way"));
		await().atMost(Duration.ofMinutes(2)).until(() -> ended(id));
		BacktestStatus failed = this.backtests.status(id);
		assertThat(failed.status()).as(failed.toString()).isEqualTo("FAILED");
		// said without Java class names or the server's directories
		assertThat(failed.failure()).contains("policy-1.json")
			.doesNotContain("Exception", "java.", DATA_DIR.toAbsolutePath().toString());
		assertThat(failed.endedAt()).isNotNull();
		assertThat(failed.reportDir()).isNull();
		StepExecution first = replay(executions(id).get(0));
		assertThat(first.getWriteCount()).isEqualTo(1);
		assertThat(first.getExecutionContext().getInt(ReplayStep.DONE)).isEqualTo(1);
		FileTime trainOnce = Files.getLastModifiedTime(dir.result(0));

		Files.delete(dir.result(1).resolve("in-the-way"));
		Files.delete(dir.result(1));
		this.backtests.restart(id);
		await().atMost(Duration.ofMinutes(2)).until(() -> ended(id));
		BacktestStatus done = this.backtests.status(id);
		assertThat(done.status()).as(done.toString()).isEqualTo("COMPLETED");
		assertThat(done.failure()).isNull();

		// one job instance (the same id), two executions: the restart replayed the two
		// policies left, not train once
		List<JobExecution> executions = executions(id);
		assertThat(executions).extracting(JobExecution::getStatus)
			.containsExactly(BatchStatus.FAILED, BatchStatus.COMPLETED);
		assertThat(replay(executions.get(1)).getWriteCount()).isEqualTo(2);
		assertThat(Files.getLastModifiedTime(dir.result(0))).isEqualTo(trainOnce);
		BacktestReport report = Json.read(done.reportDir().resolve("report.json"), BacktestReport.class);
		assertThat(report.policies()).extracting(BacktestReport.PolicyResult::name)
			.containsExactly(Backtester.TRAIN_ONCE, "weekly", "psi");
		assertThat(report.policies()).allSatisfy(p -> assertThat(p.periods()).isEqualTo(4));
		assertThat(report.policies().get(1).retrains()).isPositive();
		assertThat(report.baselines().get(0).meanMetric()).isEqualTo(report.policies().get(0).meanMetric());
		assertThat(done.reportDir().resolve("periods.csv")).exists();
		assertThat(done.progress()).startsWith("report written: 3 policies");
		assertThatThrownBy(() -> this.backtests.restart(id)).isInstanceOf(RunRejected.class)
			.hasMessageContaining("COMPLETED");
		assertThat(this.backtests.requestStop(id)).isFalse();
		assertThatThrownBy(() -> this.backtests.status(id + 1000)).isInstanceOf(BacktestNotFound.class);
	}

	@Test
	void aStoppedBacktestRestartsAndCompletesWithThePoliciesTheStopLeft() throws Exception {
		definePipeline("stopped", pipeline("stopped"));
		long id = this.backtests.start("stopped", POLICIES, "test");
		assertThat(this.backtests.requestStop(id)).isTrue();
		await().atMost(Duration.ofMinutes(2)).until(() -> ended(id));
		assertThat(this.backtests.status(id).status()).isEqualTo("STOPPED");
		long kept = replays(id);

		this.backtests.restart(id);
		await().atMost(Duration.ofMinutes(2)).until(() -> ended(id));
		BacktestStatus done = this.backtests.status(id);
		assertThat(done.status()).as(done.toString()).isEqualTo("COMPLETED");
		assertThat(replays(id)).isEqualTo(3 - kept);
		assertThat(Json.read(done.reportDir().resolve("report.json"), BacktestReport.class).policies()).hasSize(3);
	}

	@Test
	void aPolicysResultReadBackForTheReportIsTheOneReplayedNaNIncluded() {
		BacktestReport.Period period = new BacktestReport.Period(BacktestTests.START, BacktestTests.START.plusDays(4),
				3, Double.NaN, 2, true, false, "cron fired", null, Map.of("tenure_days", 0.31),
				new double[] { 0.25, 0.75, 0.5 }, new double[] { 0, 1, 1 });
		BacktestReport.PolicyResult result = new BacktestReport.PolicyResult("p", "retrain on cron", Double.NaN, 1, 1,
				0, 300, 12, 3, 4, 25, List.of(period),
				List.of(new BacktestReport.ChampionChange(BacktestTests.START, 2)));
		BacktestDirectory dir = BacktestDirectory.of(DATA_DIR, 424242);
		dir.writeResult(0, result);
		assertThat(dir.readResult(0)).usingRecursiveComparison()
			.withComparatorForType(Double::compare, Double.class)
			.isEqualTo(result);
	}

	private static String pipeline(String name) throws Exception {
		new SampleDataGenerator().write(DATA_DIR.resolve(name), SampleDataSpec.stable(BacktestTests.START, 40, 60, 11));
		return PipelineFixtures.yaml(name, name, PipelineFixtures.GOOD_MODEL, "");
	}

	/**
	 * The policies the last execution replayed (none if it stopped before its replay
	 * step).
	 */
	private long replays(long id) {
		List<JobExecution> executions = executions(id);
		return executions.get(executions.size() - 1)
			.getStepExecutions()
			.stream()
			.filter(s -> s.getStepName().equals("replay"))
			.mapToLong(StepExecution::getWriteCount)
			.sum();
	}

	private boolean ended(long id) {
		return !List.of("RUNNING", "STOPPING").contains(this.backtests.status(id).status());
	}

	private List<JobExecution> executions(long id) {
		JobInstance instance = this.jobs.getJobInstance(BacktestJobConfiguration.JOB_NAME,
				new JobParametersBuilder().addLong(BacktestJobConfiguration.ID, id).toJobParameters());
		return this.jobs.getJobExecutions(instance)
			.stream()
			.sorted(Comparator.comparing(JobExecution::getId))
			.map(e -> this.jobs.getJobExecution(e.getId()))
			.toList();
	}

	private static StepExecution replay(JobExecution execution) {
		return execution.getStepExecutions()
			.stream()
			.filter(s -> s.getStepName().equals("replay"))
			.findFirst()
			.orElseThrow();
	}

}

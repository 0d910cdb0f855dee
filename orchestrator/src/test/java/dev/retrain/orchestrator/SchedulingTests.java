package dev.retrain.orchestrator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.TimeZone;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.CronTrigger;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.orchestrator.scheduling.RetrainJobStore;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real Quartz with its JDBC store on an H2 file, across real restarts of the application.
 */
class SchedulingTests {

	@TempDir
	Path data;

	@TempDir
	Path configs;

	final String schedulerName = "sched-" + UUID.randomUUID();

	ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(RetrainApplication.class).run("--server.port=0",
				"--retrain.data-dir=" + this.data, "--retrain.config-dir=" + this.configs,
				"--spring.quartz.properties.org.quartz.scheduler.instanceName=" + this.schedulerName);
	}

	void pipeline(String name, String cron, String zone) {
		PipelineFixtures.write(this.configs, name, PipelineFixtures.yaml(name, "shared", GOOD_MODEL,
				"schedule:\n  cron: \"" + cron + "\"\n  time-zone: " + zone));
	}

	static CronTrigger retrainTrigger(ConfigurableApplicationContext app, String pipeline) throws Exception {
		return (CronTrigger) app.getBean(Scheduler.class).getTrigger(TriggerKey.triggerKey(pipeline, "retrain"));
	}

	static List<RunRecord> scheduledRuns(ConfigurableApplicationContext app, String pipeline) {
		return app.getBean(RunRecords.class)
			.recent(pipeline, 100)
			.stream()
			.filter(r -> r.trigger().equals("schedule"))
			.toList();
	}

	@Test
	void aCronTriggerFiresAndLaunchesARun() throws Exception {
		PipelineFixtures.sampleData(this.data, "shared", 150, 61);
		pipeline("tick", "*/2 * * * * ?", "UTC");
		try (ConfigurableApplicationContext app = start()) {
			await().atMost(Duration.ofMinutes(1)).until(() -> !scheduledRuns(app, "tick").isEmpty());
			app.getBean(Scheduler.class).pauseTrigger(TriggerKey.triggerKey("tick", "retrain"));
			// every fire's end is recorded (RetrainJobStore deletes a cron fire's row
			// without Quartz's cluster lock): no fired trigger is left once none runs
			assertThat(app.getBean(Scheduler.class).getMetaData().getJobStoreClass()).isEqualTo(RetrainJobStore.class);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> app.getBean(JdbcTemplate.class)
					.queryForObject("SELECT COUNT(*) FROM QRTZ_FIRED_TRIGGERS WHERE SCHED_NAME = ?", Integer.class,
							this.schedulerName) == 0);
			RunRecord run = scheduledRuns(app, "tick").get(scheduledRuns(app, "tick").size() - 1);
			assertThat(run.cause()).contains("cron '*/2 * * * * ?' (UTC)");
			assertThat(run.runKey()).startsWith("schedule-");
			await().atMost(Duration.ofMinutes(1))
				.until(() -> app.getBean(RunRecords.class).find(run.runId()).orElseThrow().endedAt() != null);
			assertThat(app.getBean(RunRecords.class).find(run.runId()).orElseThrow().status()).isEqualTo("COMPLETED");
		}
	}

	@Test
	void aChangedCronReplacesTheStoredOneAfterRestartAndARemovedPipelinesScheduleGoes() throws Exception {
		PipelineFixtures.sampleData(this.data, "shared", 150, 62);
		pipeline("nightly", "0 0 2 * * ?", "UTC");
		pipeline("weekly", "0 0 4 ? * MON", "UTC");
		long runId;
		try (ConfigurableApplicationContext app = start()) {
			assertThat(retrainTrigger(app, "nightly").getCronExpression()).isEqualTo("0 0 2 * * ?");
			assertThat(retrainTrigger(app, "weekly")).isNotNull();
			app.getBean(Scheduler.class).pauseTrigger(TriggerKey.triggerKey("nightly", "retrain"));
			runId = app.getBean(dev.retrain.jobs.runs.RunLauncher.class)
				.launch(new dev.retrain.jobs.runs.RunLauncher.Request("nightly", PipelineFixtures.LAST,
						"before-restart", null, dev.retrain.jobs.runs.Trigger.MANUAL, "test"))
				.runId();
			await().atMost(Duration.ofMinutes(1))
				.until(() -> app.getBean(RunRecords.class).find(runId).orElseThrow().endedAt() != null);
		}

		pipeline("nightly", "0 30 3 1 * ?", "Europe/Berlin");
		Files.delete(this.configs.resolve("weekly.yaml"));
		try (ConfigurableApplicationContext app = start()) {
			CronTrigger nightly = retrainTrigger(app, "nightly");
			assertThat(nightly.getCronExpression()).isEqualTo("0 30 3 1 * ?");
			assertThat(nightly.getTimeZone()).isEqualTo(TimeZone.getTimeZone("Europe/Berlin"));
			assertThat(app.getBean(Scheduler.class).getTriggerState(nightly.getKey()))
				.as("a paused schedule stays paused")
				.isEqualTo(Trigger.TriggerState.PAUSED);
			assertThat(retrainTrigger(app, "weekly")).isNull();
			assertThat(app.getBean(RunRecords.class).find(runId)).as("run history survives").isPresent();
			assertThat(app.getBean(dev.retrain.jobs.audit.AuditLog.class).query(null, "SCHEDULE_CHANGE", 50))
				.as("each schedule change is audited with its pipeline and kind")
				.extracting(e -> e.pipeline() + " " + e.target() + " " + e.details().split(" ")[0])
				.contains("nightly retrain changed", "weekly retrain removed");
		}
	}

	@Test
	void aMisfireAfterDowntimeFiresOnceNotOncePerMissedSlot() throws Exception {
		PipelineFixtures.sampleData(this.data, "shared", 150, 63);
		pipeline("daily", "0 0 3 * * ?", "UTC");
		try (ConfigurableApplicationContext app = start()) {
			assertThat(retrainTrigger(app, "daily")).isNotNull();
		}
		// the application was down for three days: three daily slots were missed
		long threeDaysAgo = System.currentTimeMillis() - Duration.ofDays(3).toMillis();
		try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + this.data.resolve("db/retrain"), "sa", "");
				PreparedStatement ps = c.prepareStatement(
						"UPDATE QRTZ_TRIGGERS SET NEXT_FIRE_TIME = ? WHERE TRIGGER_NAME = 'daily' AND TRIGGER_GROUP = 'retrain'")) {
			ps.setLong(1, threeDaysAgo);
			assertThat(ps.executeUpdate()).isEqualTo(1);
		}

		try (ConfigurableApplicationContext app = start()) {
			await().atMost(Duration.ofMinutes(1)).until(() -> !scheduledRuns(app, "daily").isEmpty());
			await().during(Duration.ofSeconds(5))
				.atMost(Duration.ofSeconds(20))
				.until(() -> scheduledRuns(app, "daily").size() == 1);
			assertThat(retrainTrigger(app, "daily").getNextFireTime()).isInTheFuture();
			long runId = scheduledRuns(app, "daily").get(0).runId();
			await().atMost(Duration.ofMinutes(1))
				.until(() -> app.getBean(RunRecords.class).find(runId).orElseThrow().endedAt() != null);
		}
	}

}

package dev.retrain.jobs.runs;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

import dev.retrain.jobs.RetrainTestSupport;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A node that stops for good (no restart) must not hold its pipelines forever: the other
 * nodes see its heartbeat age, declare it stopped once, fail its run and restart it
 * themselves (it completes with nobody restarting it by hand).
 */
@TestPropertySource(properties = { "retrain.heartbeat-interval=200ms", "retrain.node-timeout=5s" })
class NodeLivenessTests extends RetrainTestSupport {

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	JobRepository repository;

	@Autowired
	PipelineLocks locks;

	@Test
	void aNodeSilentPastTheTimeoutIsDeclaredStoppedItsRunFailedAndItsPipelineFreedWhileALiveNodeKeepsItsLock()
			throws Exception {
		sampleData(DATA_DIR, "orphaned", 150, 21);
		definePipeline("orphaned", yaml("orphaned", "orphaned", GOOD_MODEL, ""));
		OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
		OffsetDateTime past = now.minusMinutes(10);
		// the run node "gone" was executing when it stopped: its execution still STARTED,
		// its lock held
		JobParameters params = new JobParametersBuilder().addString("pipeline", "orphaned", true)
			.addLocalDate("asOf", LAST, true)
			.addString("runKey", "gone-1", true)
			.addString("trigger", "manual", false)
			.toJobParameters();
		JobInstance instance = this.repository.createJobInstance("retrain", params);
		JobExecution execution = this.repository.createJobExecution(instance, params, new ExecutionContext());
		execution.setStatus(BatchStatus.STARTED);
		execution.setStartTime(LocalDateTime.now().minusMinutes(11));
		this.repository.update(execution);
		long id = execution.getId();
		this.runs.create(id, instance.getInstanceId(), "orphaned", LAST, "gone-1", "manual", "test", null);
		this.jdbc.update(
				"INSERT INTO pipeline_lock (pipeline, token, holder, acquired_at, run_id) VALUES (?, ?, ?, ?, ?)",
				"orphaned", "token-gone", "gone", past, id);
		this.jdbc.update("INSERT INTO node_heartbeat (node, started_at, beat_at) VALUES (?, ?, ?)", "gone", past, past);
		// another node, alive and busy: its lock stays
		this.jdbc.update("INSERT INTO node_heartbeat (node, started_at, beat_at) VALUES (?, ?, ?)", "alive", now,
				now.plusHours(1));
		this.jdbc.update("INSERT INTO pipeline_lock (pipeline, token, holder, acquired_at) VALUES (?, ?, ?, ?)",
				"busy-elsewhere", "token-alive", "alive", past);

		// the lock is released, then the execution recovered, then the run record marked:
		// wait for the last
		await().atMost(Duration.ofSeconds(30))
			.until(() -> "FAILED".equals(this.runs.find(id).map(RunRecord::status).orElse(null)));
		assertThat(this.repository.getJobExecution(id).getStatus()).isEqualTo(BatchStatus.FAILED);

		RunRecord failed = this.runs.find(id).orElseThrow();
		assertThat(failed.status()).isEqualTo("FAILED");
		assertThat(failed.failureReason()).contains("node gone stopped").contains("resumes from its last checkpoint");
		assertThat(this.locks.isLocked("busy-elsewhere")).isTrue();
		assertThat(this.jdbc.queryForObject("SELECT declared_dead_by FROM node_heartbeat WHERE node = 'gone'",
				String.class))
			.isEqualTo(this.locks.nodeId());
		assertThat(this.jdbc.queryForObject("SELECT declared_dead_at FROM node_heartbeat WHERE node = 'alive'",
				OffsetDateTime.class))
			.isNull();

		// the surviving node restarts the failed run itself (same pipeline, date and run
		// key), and it completes: nobody restarts it by hand
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.runs.recent("orphaned", 10).stream().anyMatch(r -> r.runId() != id));
		RunRecord resumed = this.runs.recent("orphaned", 10)
			.stream()
			.filter(r -> r.runId() != id)
			.findFirst()
			.orElseThrow();
		assertThat(resumed.runKey()).isEqualTo("gone-1");
		RunRecord restarted = awaitEnd(resumed.runId());
		assertThat(restarted.status()).as(restarted.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.locks.isLocked("orphaned")).isFalse();
		assertThatThrownBy(() -> this.launcher.restart(id)).isInstanceOf(RunRejected.class);

		this.jdbc.update("DELETE FROM pipeline_lock WHERE pipeline = 'busy-elsewhere'");
		this.jdbc.update("DELETE FROM node_heartbeat WHERE node IN ('gone', 'alive')");
	}

}

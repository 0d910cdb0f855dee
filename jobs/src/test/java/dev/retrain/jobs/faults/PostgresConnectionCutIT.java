package dev.retrain.jobs.faults;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.JobsTestApplication.Hold;
import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.TestPostgres;
import dev.retrain.jobs.consistency.ConsistencyCheck;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.runs.RunRecord;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL cuts every connection of the node mid-run ({@code pg_terminate_backend}, as
 * a failover or an administrator would): the run ends with a reason, nothing is left
 * claiming to run, and its restart completes with exactly one version. CI starts
 * PostgreSQL and requires this test; a machine without it (and without CI=true) skips it.
 */
class PostgresConnectionCutIT extends RetrainTestSupport {

	static final String SCHEMA = TestPostgres.schema("retrain_cut");

	static final String APPLICATION = "retrain-" + SCHEMA;

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		TestPostgres.require(false);
		TestPostgres.register(registry, SCHEMA);
		registry.add("spring.datasource.url", () -> TestPostgres.url(SCHEMA) + "&ApplicationName=" + APPLICATION);
	}

	@AfterAll
	static void dropSchema() throws SQLException {
		TestPostgres.drop(SCHEMA);
	}

	@Autowired
	ConsistencyCheck consistency;

	@Autowired
	DataSource dataSource;

	@Test
	void connectionsCutMidTrainingEndTheRunWithAReasonAndItsRestartRegistersExactlyOneVersion() throws Exception {
		sampleData(DATA_DIR, "cut-data", 150, 21);
		definePipeline("cut", yaml("cut", "cut-data", GOOD_MODEL, ""));
		Hold hold = this.failures.holdAfter(2);
		long runId = launch("cut", LAST, "cut", null).runId();
		assertThat(hold.reached().await(2, TimeUnit.MINUTES)).isTrue();

		assertThat(terminateConnections()).as("connections of this node terminated").isPositive();
		hold.release();
		RunRecord end = awaitEndAfterCut(runId);

		// depending on where the cut lands: the step fails and rolls back, or Spring
		// Batch
		// cannot tell whether its commit happened (UNKNOWN, recorded FAILED with that
		// reason; UnknownStepRestartTests makes that case certain)
		assertThat(end.status()).isEqualTo("FAILED");
		// (or, where the cut also lost Spring Batch's last update of the job, "the end of
		// the run", with the cause)
		assertThat(end.failureReason()).satisfiesAnyOf(
				r -> assertThat(r).startsWith("the database did not confirm the end of a step ("),
				r -> assertThat(r).startsWith("the database did not confirm the end of the run ("),
				r -> assertThat(r).containsIgnoringCase("connection"));
		assertThat(this.consistency.run().disagreements()).isEmpty();
		assertThat(this.registry.versions("cut")).isEmpty();

		// the pool replaces a dead connection when a borrower hits it; all at once here,
		// so that the next calls do not draw one
		((HikariDataSource) this.dataSource).getHikariPoolMXBean().softEvictConnections();
		end = awaitEnd(this.launcher.restart(runId).runId());

		assertThat(end.status()).isEqualTo("COMPLETED");
		assertThat(this.registry.versions("cut")).extracting(ModelVersion::version).containsExactly(1);
		assertThat(this.registry.champion("cut")).contains(1);
		this.store.load("cut", 1).close();
		assertThat(this.consistency.run().disagreements()).isEmpty();
	}

	/**
	 * Like {@code awaitEnd}, but a poll that draws one of the cut connections from the
	 * pool (it fails once, and the pool drops it) is tried again.
	 */
	private RunRecord awaitEndAfterCut(long runId) {
		// where the cut also hits Spring Batch's own last update of the job execution,
		// that update's exception leaves the job's thread (Spring Batch's, not ours to
		// catch): what matters is that the run's record ends and its restart works
		await().atMost(Duration.ofMinutes(2))
			.dontCatchUncaughtExceptions()
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptionsInstanceOf(DataAccessResourceFailureException.class)
			.until(() -> this.runs.find(runId).map(r -> r.endedAt() != null).orElse(false));
		return this.runs.find(runId).orElseThrow();
	}

	private static int terminateConnections() throws SQLException {
		try (Connection c = TestPostgres.connect();
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
						+ "FROM pg_stat_activity WHERE application_name = '" + APPLICATION + "'")) {
			rs.next();
			return rs.getInt(1);
		}
	}

}

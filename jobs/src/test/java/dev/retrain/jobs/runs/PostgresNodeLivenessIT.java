package dev.retrain.jobs.runs;

import java.sql.SQLException;

import org.junit.jupiter.api.AfterAll;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.TestPostgres;

/**
 * {@link NodeLivenessTests} on PostgreSQL, whose driver returns times as Timestamps, not
 * OffsetDateTimes: reading one as text there made the surviving node declare a stopped
 * node and then fail before recovering its runs (found by ClusterIT). CI starts
 * PostgreSQL and requires this test; a machine without it (and without CI=true) skips it.
 */
class PostgresNodeLivenessIT extends NodeLivenessTests {

	static final String SCHEMA = TestPostgres.schema("retrain_liveness");

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		TestPostgres.require(false);
		TestPostgres.register(registry, SCHEMA);
	}

	@AfterAll
	static void dropSchema() throws SQLException {
		TestPostgres.drop(SCHEMA);
	}

}

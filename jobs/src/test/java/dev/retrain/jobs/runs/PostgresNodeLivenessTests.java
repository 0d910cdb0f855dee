package dev.retrain.jobs.runs;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link NodeLivenessTests} on PostgreSQL, whose driver returns times as Timestamps, not
 * OffsetDateTimes: reading one as text there made the surviving node declare a stopped
 * node and then fail before recovering its runs (found by ClusterTests). CI starts
 * PostgreSQL and requires this test; a machine without it (and without CI=true) skips it.
 */
class PostgresNodeLivenessTests extends NodeLivenessTests {

	static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

	static final String SCHEMA = "retrain_liveness_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		if (!reachable()) {
			Assumptions.assumeTrue(System.getenv("CI") == null, "CI starts PostgreSQL on 127.0.0.1:5432");
			Assumptions.abort("PostgreSQL is not reachable on 127.0.0.1:5432");
		}
		registry.add("spring.datasource.url", () -> URL + "?currentSchema=" + SCHEMA);
		registry.add("spring.datasource.username", () -> "postgres");
		registry.add("spring.datasource.password", () -> "");
		registry.add("spring.flyway.schemas", () -> SCHEMA);
	}

	static boolean reachable() {
		DriverManager.setLoginTimeout(3);
		try (Connection c = DriverManager.getConnection(URL, "postgres", "")) {
			return c.isValid(3);
		}
		catch (SQLException ex) {
			return false;
		}
	}

	@AfterAll
	static void dropSchema() throws SQLException {
		if (reachable()) {
			try (Connection c = DriverManager.getConnection(URL, "postgres", ""); Statement s = c.createStatement()) {
				s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
			}
		}
	}

}

package dev.retrain.jobs;

import java.io.IOException;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The tests' PostgreSQL (127.0.0.1:5432, database {@code test}, trust auth): each test
 * class works in a schema of its own and drops it afterwards. CI starts PostgreSQL (and
 * RabbitMQ) and requires these tests; a machine without them, and without CI=true, skips
 * them saying why.
 */
public final class TestPostgres {

	public static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

	/** The user (trust auth: no password). */
	public static final String USER = "postgres";

	private TestPostgres() {
	}

	/** A fresh schema name with this prefix. */
	public static String schema(String prefix) {
		return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
	}

	/** The JDBC URL of a schema. */
	public static String url(String schema) {
		return URL + "?currentSchema=" + schema;
	}

	/** Is something listening on this port of 127.0.0.1? */
	public static boolean listening(int port) {
		try (Socket s = new Socket("127.0.0.1", port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** A connection to the database. */
	public static Connection connect() throws SQLException {
		return DriverManager.getConnection(URL, USER, "");
	}

	/** A connection to the database with {@code schema} as its current schema. */
	public static Connection connect(String schema) throws SQLException {
		return DriverManager.getConnection(url(schema), USER, "");
	}

	public static boolean reachable() {
		DriverManager.setLoginTimeout(3);
		try (Connection c = connect()) {
			return c.isValid(3);
		}
		catch (SQLException ex) {
			return false;
		}
	}

	/**
	 * Skips the test class (or, in CI, fails it) unless PostgreSQL and, with
	 * {@code rabbitMq}, RabbitMQ (5672) are reachable.
	 */
	public static void require(boolean rabbitMq) {
		boolean ok = reachable() && (!rabbitMq || listening(5672));
		if (!ok) {
			String needs = rabbitMq ? "PostgreSQL (5432) and RabbitMQ (5672)" : "PostgreSQL (5432)";
			Assumptions.assumeTrue(System.getenv("CI") == null, "CI starts " + needs + "; not reachable");
			Assumptions.abort(needs + " on 127.0.0.1 are needed; the tests that use them run where they are");
		}
	}

	/** The application's datasource and Flyway on the schema. */
	public static void register(DynamicPropertyRegistry registry, String schema) {
		registry.add("spring.datasource.url", () -> url(schema));
		registry.add("spring.datasource.username", () -> USER);
		registry.add("spring.datasource.password", () -> "");
		registry.add("spring.flyway.schemas", () -> schema);
	}

	public static void drop(String schema) throws SQLException {
		if (reachable()) {
			try (Connection c = connect(); Statement s = c.createStatement()) {
				s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
			}
		}
	}

}

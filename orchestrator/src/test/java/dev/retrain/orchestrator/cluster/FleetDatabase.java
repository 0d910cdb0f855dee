package dev.retrain.orchestrator.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import dev.retrain.jobs.TestPostgres;

/**
 * A PostgreSQL database of the fleet benchmarks' own on the tests' server
 * (127.0.0.1:5432, user {@code postgres}, trust auth), created fresh and dropped on
 * close: a thousand pipelines' schedules, runs and events never share the {@code test}
 * database that other suites use. The application works in its schema {@value #SCHEMA}.
 */
public final class FleetDatabase implements AutoCloseable {

	static final String SCHEMA = "retrain";

	private final String name;

	private FleetDatabase(String name) {
		this.name = name;
	}

	/** Creates {@code fleet_<random>} with the schema the nodes use. */
	public static FleetDatabase create() throws SQLException {
		String name = "fleet_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
		try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
			s.execute("CREATE DATABASE " + name);
		}
		FleetDatabase db = new FleetDatabase(name);
		try (Connection c = db.connect(); Statement s = c.createStatement()) {
			s.execute("CREATE SCHEMA " + SCHEMA);
		}
		return db;
	}

	public String name() {
		return this.name;
	}

	/** The JDBC URL, with the application's schema as the current one. */
	public String url() {
		return TestPostgres.URL.replaceFirst("/test$", "/" + this.name) + "?currentSchema=" + SCHEMA;
	}

	public Connection connect() throws SQLException {
		return DriverManager.getConnection(url(), TestPostgres.USER, "");
	}

	/** Nodes on this database (see {@link NodeProcesses}). */
	public NodeProcesses nodes(java.nio.file.Path root, String apiKey) {
		return new NodeProcesses(root, url(), SCHEMA, apiKey);
	}

	/**
	 * This machine's load averages (1, 5, 15 minutes) from {@code /proc/loadavg}, for the
	 * reports: the figures mean little without how busy the cores were.
	 */
	public static String loadAverage() {
		try {
			String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
			return "load average " + f[0] + " " + f[1] + " " + f[2];
		}
		catch (java.io.IOException | RuntimeException ex) {
			return "load average unknown";
		}
	}

	/** Drops the database (its connections first: a node killed may have left some). */
	@Override
	public void close() throws SQLException {
		try (Connection c = TestPostgres.connect(); Statement s = c.createStatement()) {
			s.execute("DROP DATABASE IF EXISTS " + this.name + " WITH (FORCE)");
		}
	}

}

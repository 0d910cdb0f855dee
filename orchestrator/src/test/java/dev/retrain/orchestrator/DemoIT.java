package dev.retrain.orchestrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --demo --exit} as a newcomer starts it, in a JVM of its own in an empty
 * directory with the repository's {@code configs/sample.yaml}: real H2 under
 * {@code ./var}, real training on the generated data. It plays the whole loop (champion
 * v1 before the shift, a drift check that fires, the retrain that drift started promoted
 * as v2 by the pipeline's own policy) and exits 0; started again on the same directory it
 * starts nothing and shows the same history.
 */
class DemoIT {

	/** Two trainings and a drift check on 2 busy cores, with room to spare. */
	private static final long EXITS_WITHIN_SECONDS = 300;

	@TempDir
	Path cwd;

	@TempDir
	Path logs;

	@Test
	void theDemoShowsAChampionChangeThatDriftTriggered() throws Exception {
		Files.createDirectories(this.cwd.resolve("configs"));
		Files.copy(Path.of("..", "configs", "sample.yaml"), this.cwd.resolve("configs").resolve("sample.yaml"));

		Result first = demo("first");

		assertThat(first.exitCode()).as(first.toString()).isZero();
		assertThat(first.out()).contains("-- 1. a first retrain as of ", "-- 2. a drift check as of ",
				"drift check 1: DRIFT against champion v1", "drift event: STARTED_RUN: started retrain run 2",
				"-- 3. the retrain that the drift started", "(trigger drift, run key drift-1)",
				"versions of 'sample' (champion: v2)", "none -> v1  (run 1: promoted: no champion yet)",
				"v1 -> v2  (run 2: promoted: roc_auc ", "keeps serving the console at http://localhost:");
		try (Connection c = h2()) {
			JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(c, true));
			assertThat(jdbc.queryForList(
					"SELECT to_version FROM alias_history WHERE pipeline = 'sample' AND alias = 'champion' ORDER BY id",
					Integer.class))
				.as("champion alias history")
				.containsExactly(1, 2);
			assertThat(jdbc.queryForObject("SELECT status FROM drift_report WHERE pipeline = 'sample'", String.class))
				.isEqualTo("DRIFT");
			assertThat(jdbc.queryForMap("SELECT outcome, run_id FROM drift_event WHERE pipeline = 'sample'"))
				.containsEntry("OUTCOME", "STARTED_RUN")
				.containsEntry("RUN_ID", 2L);
			assertThat(jdbc.queryForList(
					"SELECT trigger_type || ' ' || status FROM retrain_run WHERE pipeline = 'sample' ORDER BY run_id",
					String.class))
				.containsExactly("manual COMPLETED", "drift COMPLETED");
			assertThat(jdbc.queryForList(
					"SELECT decision FROM model_version WHERE pipeline = 'sample' AND forced = FALSE ORDER BY version",
					String.class))
				.as("both promoted by the pipeline's policy, none forced")
				.containsExactly("PROMOTE", "PROMOTE");
		}

		Result again = demo("again");

		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertThat(again.out()).contains("The demo's loop ran on an earlier start", "nothing started",
				"versions of 'sample' (champion: v2)", "v1 -> v2  (run 2: promoted: roc_auc ");
		assertThat(again.out()).doesNotContain("== run ", "-- 1.", "-- 2.");
	}

	private Connection h2() throws SQLException {
		return DriverManager.getConnection(
				"jdbc:h2:file:" + this.cwd.resolve("var").resolve("db").resolve("retrain").toAbsolutePath(), "sa", "");
	}

	record Result(int exitCode, String out, String err) {
	}

	/** The jar's entry point with {@code --demo --exit} in a JVM of its own. */
	private Result demo(String name) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-cp", System.getProperty("java.class.path"), RetrainApplication.class.getName(), "--demo", "--exit",
				"--server.port=0"));
		Path out = this.logs.resolve(name + ".out");
		Path err = this.logs.resolve(name + ".err");
		Process p = new ProcessBuilder(cmd).directory(this.cwd.toFile())
			.redirectOutput(out.toFile())
			.redirectError(err.toFile())
			.start();
		boolean exited = p.waitFor(EXITS_WITHIN_SECONDS, TimeUnit.SECONDS);
		if (!exited) {
			p.destroyForcibly().waitFor();
		}
		Result r = new Result(exited ? p.exitValue() : -1, Files.readString(out), Files.readString(err));
		assertThat(exited).as("the demo ended by itself within %d s: %s", EXITS_WITHIN_SECONDS, r).isTrue();
		return r;
	}

}

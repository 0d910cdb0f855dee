package dev.retrain.orchestrator.capacity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the capacity benchmark from rotting: its whole path (the real application on
 * PostgreSQL, the seed run and drift check, the bulk copies, every list and page
 * measured) at a tiny size, in a schema of its own; no speed asserted (docs/capacity.md).
 */
class CapacityBenchmarkSmokeIT {

	static final String SCHEMA = TestPostgres.schema("capacity_smoke");

	@BeforeAll
	static void postgres() {
		TestPostgres.require(false);
	}

	@AfterAll
	static void dropSchema() throws SQLException {
		TestPostgres.drop(SCHEMA);
	}

	@Test
	void fillsEveryTableAndMeasuresEveryListAndPage(@TempDir Path out) throws Exception {
		CapacityBenchmark.Result r = CapacityBenchmark.run(new CapacityBenchmark.Sizes(5, 200, 150, 2000, 120, 1, 3),
				TestPostgres.url(SCHEMA), SCHEMA, out);

		assertThat(r.rows()).containsEntry("retrain_run", 200L)
			.containsEntry("batch_job_instance", 200L)
			.containsEntry("batch_job_execution", 200L)
			.containsEntry("batch_step_execution", 200L * 6)
			.containsEntry("model_version", 150L)
			.containsEntry("audit_log", 2000L)
			.containsEntry("drift_report", 120L);
		assertThat(r.rows().get("batch_job_execution_params")).isEqualTo(200L * 5);
		assertThat(r.rows().get("model_alias")).isBetween(5L, 10L);
		assertThat(r.figures()).hasSize(24);
		assertThat(r.figures()).filteredOn(f -> f.kind().equals("REST")).hasSize(13);
		assertThat(r.figures()).filteredOn(f -> f.kind().equals("console")).hasSize(11);
		assertThat(r.figures()).allSatisfy(f -> {
			assertThat(f.median()).as(f.name()).isPositive().isLessThanOrEqualTo(f.p95());
			assertThat(f.p95()).as(f.name()).isLessThanOrEqualTo(f.p99());
			assertThat(f.bytes()).as(f.name()).isPositive();
		});
		String md = Files.readString(out.resolve("capacity.md"));
		assertThat(md).isEqualTo(r.markdown()).contains("PostgreSQL " + r.postgres());
		assertThat(r.figures()).allSatisfy(f -> assertThat(md).contains(f.name()));
	}

}

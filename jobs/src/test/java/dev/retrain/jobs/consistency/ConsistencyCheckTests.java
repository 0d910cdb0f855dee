package dev.retrain.jobs.consistency;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.consistency.ConsistencyCheck.Disagreement;
import dev.retrain.jobs.consistency.ConsistencyCheck.Kind;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.store.ModelStore;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each disagreement between registry, store and job repository is listed, and none is
 * fixed by the check.
 */
class ConsistencyCheckTests extends RetrainTestSupport {

	@Autowired
	ConsistencyCheck check;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void everyDisagreementIsListedAndNothingIsFixed() throws Exception {
		sampleData(DATA_DIR, "audited", 150, 41);
		definePipeline("audited", yaml("audited", "audited", GOOD_MODEL, ""));
		RunRecord run = run("audited", LAST, null);
		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.check.run().disagreements()).noneMatch(d -> d.pipeline().equals("audited"));

		Path params = this.store.versionDir("audited", 1).resolve(ModelStore.PARAMS);
		Path moved = Files.move(params, params.resolveSibling("moved-away"));
		Path stray = Files.createDirectories(this.store.root().resolve("audited/7"));
		this.jdbc.update(
				"INSERT INTO retrain_run (run_id, job_instance_id, pipeline, as_of, run_key, trigger_type, "
						+ "status, created_at) VALUES (?, ?, 'audited', ?, 'stale', 'manual', 'STARTED', ?)",
				run.runId() + 100_000, run.jobInstanceId(), LAST, OffsetDateTime.now(ZoneOffset.UTC));
		this.jdbc.update("INSERT INTO pipeline_lock (pipeline, token, holder, run_id, acquired_at) VALUES ('audited', "
				+ "'t', 'gone', ?, ?)", run.runId(), OffsetDateTime.now(ZoneOffset.UTC));
		try {
			assertThat(this.check.run().disagreements()).filteredOn(d -> d.pipeline().equals("audited"))
				.containsExactlyInAnyOrder(
						new Disagreement(Kind.CHAMPION_FILES_MISSING, "audited", "v1",
								"registered, but is missing audited/1/model.params"),
						new Disagreement(Kind.UNREGISTERED_STORE_DIRECTORY, "audited", "v7",
								"in the store (audited/7), not in the registry"),
						new Disagreement(Kind.RUN_RECORD_STALE, "audited", "run " + (run.runId() + 100_000),
								"the run record says STARTED, its job execution does not exist"),
						new Disagreement(Kind.LOCK_OF_ENDED_RUN, "audited", "run " + run.runId(),
								"locked by node gone for a run whose job execution ended COMPLETED"));
			assertThat(Files.exists(stray)).as("nothing fixed").isTrue();
			assertThat(Files.exists(params)).isFalse();
		}
		finally {
			Files.move(moved, params);
			Files.delete(stray);
			this.jdbc.update("DELETE FROM retrain_run WHERE run_id = ?", run.runId() + 100_000);
			this.jdbc.update("DELETE FROM pipeline_lock WHERE pipeline = 'audited'");
		}
		assertThat(this.check.run().disagreements()).noneMatch(d -> d.pipeline().equals("audited"));

		// a file changed after registration: its SHA-256 is no longer the one in the
		// metadata
		assertThat(this.store.metadata("audited", 1).files()).containsKeys(ModelStore.PARAMS, "reference.parquet");
		byte[] original = Files.readAllBytes(params);
		byte[] changed = original.clone();
		changed[changed.length / 2] ^= 0x01;
		Files.write(params, changed);
		try {
			assertThat(this.check.run().disagreements()).filteredOn(d -> d.pipeline().equals("audited"))
				.singleElement()
				.satisfies(
						d -> assertThat(d.detail()).contains("audited/1/model.params changed since it was registered"));
			org.assertj.core.api.Assertions.assertThatThrownBy(() -> this.store.load("audited", 1))
				.isInstanceOf(dev.retrain.models.store.VersionFilesMissing.class)
				.hasMessageContaining("changed since it was registered");
		}
		finally {
			Files.write(params, original);
		}
		assertThat(this.check.run().disagreements()).noneMatch(d -> d.pipeline().equals("audited"));
	}

}

package dev.retrain.jobs;

import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunAlreadyActive;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.scoring.RealisedVersions;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.WEAK_MODEL;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The same migrations and the same job on PostgreSQL (127.0.0.1:5432, database
 * {@code test}), in a schema of its own that is dropped afterwards. CI starts PostgreSQL
 * and requires this test; a machine without PostgreSQL (and without CI=true) skips it.
 */
class PostgresProfileIT extends RetrainTestSupport {

	static final String SCHEMA = TestPostgres.schema("retrain_test");

	@DynamicPropertySource
	static void postgres(DynamicPropertyRegistry registry) {
		TestPostgres.require(false);
		TestPostgres.register(registry, SCHEMA);
	}

	@AfterAll
	static void dropSchema() throws SQLException {
		TestPostgres.drop(SCHEMA);
	}

	@Autowired
	JdbcTemplate jdbc;

	@Autowired
	RealisedVersions realised;

	@Test
	void migrationsAndTheRetrainJobRunOnPostgres() {
		assertThat(this.jdbc.queryForObject("SELECT version()", String.class)).startsWith("PostgreSQL");
		List<String> migrated = this.jdbc.queryForList(
				"SELECT version FROM " + SCHEMA
						+ ".flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank",
				String.class);
		assertThat(migrated).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
				"15", "16", "17", "18");

		// the realised rows of every scored version, as the label join writes and reads
		// them (BOOLEAN, LIMIT ?)
		LocalDate day = LAST.plusDays(1);
		this.realised.replace("pg", day,
				List.of(new RealisedVersions.Row(day, 1, RealisedVersions.ScoredAs.SERVED, "roc_auc", 0.6, 0.4, 10, 10,
						Map.of("roc_auc", 0.6), null, null, null, null),
						new RealisedVersions.Row(day, 2, RealisedVersions.ScoredAs.SHADOW, "roc_auc", 0.7, 0.3, 10, 10,
								Map.of("roc_auc", 0.7), 1, 0.1, true, "won")));
		assertThat(this.realised.newestDay("pg")).isEqualTo(day);
		assertThat(this.realised.newestAsShadow("pg", 2, 3)).singleElement().satisfies(r -> {
			assertThat(r.won()).isTrue();
			assertThat(r.againstVersion()).isEqualTo(1);
			assertThat(r.difference()).isEqualTo(0.1);
		});
		assertThat(this.realised.between("pg", day, day)).extracting(RealisedVersions.Row::scoredAs)
			.containsExactly(RealisedVersions.ScoredAs.SERVED, RealisedVersions.ScoredAs.SHADOW);

		sampleData(DATA_DIR, "pg", 150, 31);
		definePipeline("pg", yaml("pg", "pg", GOOD_MODEL, ""));
		RunRecord first = run("pg", LAST, null);
		assertThat(first.status()).as(first.failureReason()).isEqualTo("COMPLETED");
		assertThat(first.decision()).isEqualTo(Decision.PROMOTE);

		definePipeline("pg", yaml("pg", "pg", WEAK_MODEL, ""));
		LaunchedRun second = launch("pg", LAST, null, Mode.RETRAIN);
		assertThatThrownBy(() -> launch("pg", LAST, null, Mode.RETRAIN)).isInstanceOf(RunAlreadyActive.class)
			.hasMessageContaining("run " + second.runId());
		RunRecord weak = awaitEnd(second.runId());
		assertThat(weak.decision()).isEqualTo(Decision.REJECT);
		assertThat(this.registry.champion("pg")).contains(1);
		assertThat(this.registry.versions("pg")).hasSize(2);
		assertThat(this.registry.history("pg")).hasSize(1);
	}

}

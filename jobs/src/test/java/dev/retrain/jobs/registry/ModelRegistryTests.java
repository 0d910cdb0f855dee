package dev.retrain.jobs.registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.models.promotion.PromotionDecision;
import dev.retrain.models.promotion.PromotionDecision.Outcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry's compare-and-set and its audit, a JDBC slice: an embedded H2 database
 * migrated by the real Flyway migrations, the registry and the audit log as the
 * application builds them, and nothing else (no batch, no store, no web). Not in a test
 * transaction: each registry call commits in its own, as in the application (the
 * compare-and-set is about what other transactions have committed), so each test uses
 * pipelines of its own.
 */
@JdbcTest
@Transactional(propagation = Propagation.NOT_SUPPORTED)
class ModelRegistryTests {

	@Autowired
	ModelRegistry registry;

	@Autowired
	AuditLog audit;

	@Autowired
	JdbcTemplate jdbc;

	/**
	 * The beans of this slice, instead of the test application (which imports every job).
	 */
	@Configuration(proxyBeanMethods = false)
	static class Registry {

		@Bean
		Clock clock() {
			return Clock.systemUTC();
		}

		@Bean
		AuditLog auditLog(JdbcTemplate jdbc, Clock clock) {
			return new AuditLog(jdbc, clock);
		}

		@Bean
		ModelRegistry modelRegistry(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock,
				ApplicationEventPublisher events) {
			return new ModelRegistry(jdbc, tx, clock, events);
		}

		@Bean
		VersionAudit versionAudit(AuditLog audit) {
			return new VersionAudit(audit);
		}

	}

	@Test
	void theSchemaIsTheFlywayMigrationsOnAnEmbeddedDatabase() throws SQLException {
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE \"success\"",
				Integer.class))
			.as("every migration applied")
			.isGreaterThanOrEqualTo(13);
		try (Connection c = this.jdbc.getDataSource().getConnection()) {
			assertThat(c.getMetaData().getURL()).as("the slice's embedded database").startsWith("jdbc:h2:mem:");
		}
	}

	private void version(String pipeline, int v) {
		this.registry.insert(new ModelVersion(pipeline, v, Instant.now(), null, null, "RETRAIN", null, "ds-x", "h",
				"roc_auc", 0.7, Decision.PROMOTE, "test", "{}", "/nowhere", null, null, null, null, false));
	}

	@Test
	void aStaleCompareAndSetChangesNothing() {
		version("cas", 1);
		version("cas", 2);
		version("cas", 3);
		assertThat(this.registry.promote("cas", 1, null, "test", "first", null)).isTrue();
		assertThat(this.registry.promote("cas", 2, 1, "test", "second", null)).isTrue();

		assertThat(this.registry.promote("cas", 3, 1, "test", "believes v1 is champion", null)).isFalse();
		assertThat(this.registry.promote("cas", 3, null, "test", "believes there is none", null)).isFalse();

		assertThat(this.registry.champion("cas")).contains(2);
		assertThat(this.registry.alias("cas", "previous")).contains(1);
		assertThat(this.registry.history("cas")).hasSize(3);
	}

	private static ModelVersion.Transition winner(String pipeline, int version, Integer seen, Integer now) {
		return ModelVersion.register(
				new ModelVersion.Candidate(pipeline, version, Instant.now(), 100 + version, 200 + version, "RETRAIN",
						null, "ds", "h", "accuracy", 0.9, "{}", "/nowhere"),
				new PromotionDecision(Outcome.PROMOTE, "promoted: better", List.of()), seen, now, false);
	}

	@Test
	void anAutomaticPromotionMovesTheChampionAndIsAudited() {
		assertThat(this.registry.register(winner("auto", 1, null, null)).decision()).isEqualTo(Decision.PROMOTE);
		assertThat(this.registry.register(winner("auto", 2, 1, 1)).decision()).isEqualTo(Decision.PROMOTE);

		assertThat(this.registry.champion("auto")).contains(2);
		assertThat(this.registry.alias("auto", "previous")).contains(1);
		assertThat(this.audit.query("auto", null, 10))
			.extracting(AuditLog.Entry::action, AuditLog.Entry::actor, AuditLog.Entry::target)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("AUTO_PROMOTE", "run 102", "v2"),
					org.assertj.core.groups.Tuple.tuple("AUTO_PROMOTE", "run 101", "v1"));
	}

	@Test
	void aWinnerWhoseChampionMovedBeforeItsCompareAndSetIsRegisteredAsAConflictAndAudited() {
		this.registry.register(winner("race", 1, null, null));
		// the run believed there was no champion, and still did when it registered: the
		// alias says otherwise
		ModelVersion lost = this.registry.register(winner("race", 2, null, null));

		assertThat(lost.decision()).isEqualTo(Decision.CONFLICT);
		assertThat(this.registry.version("race", 2).orElseThrow().decision()).isEqualTo(Decision.CONFLICT);
		assertThat(this.registry.version("race", 2).orElseThrow().decisionSummary()).contains("from none to v1");
		assertThat(this.registry.champion("race")).contains(1);
		assertThat(this.audit.query("race", null, 10)).extracting(AuditLog.Entry::action)
			.containsExactly("PROMOTION_CONFLICT", "AUTO_PROMOTE");
	}

	@Test
	void aStaleSaveChangesNeitherTheAliasNorTheVersion() {
		this.registry.register(winner("stale", 1, null, null));
		this.registry.register(winner("stale", 2, 1, 1));
		ModelVersion v1 = this.registry.version("stale", 1).orElseThrow();

		assertThat(this.registry.save(v1.rollback(2, 7, "ann", "believes v7"))).isFalse();
		assertThat(this.registry.champion("stale")).contains(2);
		assertThat(this.audit.query("stale", "ROLLBACK", 10)).isEmpty();
		assertThat(this.registry.save(v1.rollback(2, 2, "ann", "right belief"))).isTrue();
		assertThat(this.registry.champion("stale")).contains(1);
		assertThat(this.audit.query("stale", "ROLLBACK", 10)).hasSize(1);
	}

	@Test
	void anApprovalAndARejectionOfOnePendingVersionCannotBothWin() {
		this.registry.register(winner("review", 1, null, null));
		this.registry.register(ModelVersion.register(
				new ModelVersion.Candidate("review", 2, Instant.now(), 102, 202, "RETRAIN", null, "ds", "h", "accuracy",
						0.9, "{}", "/nowhere"),
				new PromotionDecision(Outcome.PROMOTE, "promoted: better", List.of()), 1, 1, true));
		ModelVersion pending = this.registry.version("review", 2).orElseThrow();
		// both read the version while it was pending
		ModelVersion.Transition approve = pending.approve(1, 1, "ann", "ok", Instant.now());
		ModelVersion.Transition reject = pending.reject(1, "bob", "no", Instant.now());

		assertThat(this.registry.save(reject)).isTrue();
		assertThat(this.registry.save(approve)).as("the version is no longer pending").isFalse();
		assertThat(this.registry.champion("review")).contains(1);
		assertThat(this.registry.version("review", 2).orElseThrow().review()).isEqualTo(Review.REJECTED);
		assertThat(this.audit.query("review", "APPROVE", 10)).isEmpty();
	}

}

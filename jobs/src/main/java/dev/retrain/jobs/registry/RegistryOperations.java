package dev.retrain.jobs.registry;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.events.ChampionChanged;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.models.store.ModelStore;

/**
 * What people do to the registry: promote a chosen version, roll back, approve or reject a pending
 * version, force a version that failed its policy, move user-named aliases, apply retention. Each move
 * is checked against the version's state, alias moves are compare-and-set (a stale belief changes nothing
 * and raises {@link PromotionConflict}), and each is written to the audit log.
 */
public class RegistryOperations {

	static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

	static final Set<String> PASSED = Set.of("PROMOTE", "PENDING", "CONFLICT");

	private final ModelRegistry registry;

	private final ModelStore store;

	private final PipelineCatalog catalog;

	private final AuditLog audit;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate tx;

	private final Clock clock;

	private final ApplicationEventPublisher publisher;

	public RegistryOperations(ModelRegistry registry, ModelStore store, PipelineCatalog catalog, AuditLog audit,
			JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, ApplicationEventPublisher publisher) {
		this.publisher = publisher;
		this.registry = registry;
		this.store = store;
		this.catalog = catalog;
		this.audit = audit;
		this.jdbc = jdbc;
		this.tx = tx;
		this.clock = clock;
	}

	/** Makes {@code version} champion if the champion is {@code expected}; a version that failed its policy needs {@code force}. */
	public ModelVersion promote(String pipeline, int version, Integer expected, String actor, String reason,
			boolean force) {
		ModelVersion v = version(pipeline, version);
		requireReason(reason);
		if (this.registry.champion(pipeline).map(c -> c == version).orElse(false)) {
			throw new IllegalTransition("v" + version + " of " + pipeline + " is already the champion");
		}
		boolean failed = !PASSED.contains(v.decision());
		if (failed && !force) {
			throw new IllegalTransition("v" + version + " failed its promotion policy (" + v.decision() + ": "
					+ v.decisionSummary() + "); promoting it anyway is a forced promotion");
		}
		String why = (force && failed ? "forced promotion: " : "manual promotion: ") + reason;
		this.tx.executeWithoutResult(s -> {
			cas(pipeline, version, expected, actor, why);
			if (force && failed) {
				this.jdbc.update("UPDATE model_version SET forced = TRUE WHERE pipeline = ? AND version = ?", pipeline, version);
			}
			this.audit.record(actor, force && failed ? "FORCE_PROMOTE" : "PROMOTE", pipeline, "v" + version,
					"champion " + describe(expected) + " -> v" + version + ": " + reason);
		});
		this.publisher.publishEvent(new ChampionChanged(pipeline, expected, version, actor,
				force && failed ? "forced-promotion" : "promotion", reason));
		return version(pipeline, version);
	}

	/** Makes {@code previous} the champion again (and the current champion {@code previous}). */
	public ModelVersion rollback(String pipeline, Integer expected, String actor, String reason) {
		requireReason(reason);
		this.catalog.get(pipeline);
		int previous = this.registry.alias(pipeline, ModelRegistry.PREVIOUS)
			.orElseThrow(() -> new IllegalTransition("pipeline '" + pipeline + "' has no previous champion to roll back to"));
		this.tx.executeWithoutResult(s -> {
			cas(pipeline, previous, expected, actor, "rollback: " + reason);
			this.audit.record(actor, "ROLLBACK", pipeline, "v" + previous,
					"champion " + describe(expected) + " -> v" + previous + ": " + reason);
		});
		this.publisher.publishEvent(new ChampionChanged(pipeline, expected, previous, actor, "rollback", reason));
		return version(pipeline, previous);
	}

	/** A pending version becomes champion (compare-and-set), reviewed as approved. */
	public ModelVersion approve(String pipeline, int version, Integer expected, String actor, String reason) {
		ModelVersion v = pending(pipeline, version);
		requireReason(reason);
		this.tx.executeWithoutResult(s -> {
			cas(pipeline, v.version(), expected, actor, "approved: " + reason);
			review(pipeline, version, "APPROVED", actor, reason);
			this.audit.record(actor, "APPROVE", pipeline, "v" + version, reason);
		});
		this.publisher.publishEvent(new ChampionChanged(pipeline, expected, version, actor, "approval", reason));
		return version(pipeline, version);
	}

	/** A pending version is turned down, with why; it stays registered. */
	public ModelVersion reject(String pipeline, int version, String actor, String reason) {
		pending(pipeline, version);
		requireReason(reason);
		this.tx.executeWithoutResult(s -> {
			review(pipeline, version, "REJECTED", actor, reason);
			this.audit.record(actor, "REJECT", pipeline, "v" + version, reason);
		});
		return version(pipeline, version);
	}

	/** Points a user-named alias (e.g. {@code shadow}) at a version, compare-and-set on its current target. */
	public void setAlias(String pipeline, String alias, int version, Integer expected, String actor, String reason) {
		checkAlias(alias);
		version(pipeline, version);
		requireReason(reason);
		this.tx.executeWithoutResult(s -> {
			if (!this.registry.moveAlias(pipeline, alias, version, expected, actor, reason)) {
				throw new PromotionConflict("alias '" + alias + "' of " + pipeline + " is "
						+ describe(this.registry.alias(pipeline, alias).orElse(null)) + ", not " + describe(expected),
						this.registry.alias(pipeline, alias).orElse(null));
			}
			this.audit.record(actor, "SET_ALIAS", pipeline, alias, describe(expected) + " -> v" + version + ": " + reason);
		});
	}

	public void deleteAlias(String pipeline, String alias, Integer expected, String actor, String reason) {
		checkAlias(alias);
		requireReason(reason);
		this.tx.executeWithoutResult(s -> {
			if (!this.registry.removeAlias(pipeline, alias, expected, actor, reason)) {
				throw new PromotionConflict("alias '" + alias + "' of " + pipeline + " is "
						+ describe(this.registry.alias(pipeline, alias).orElse(null)) + ", not " + describe(expected),
						this.registry.alias(pipeline, alias).orElse(null));
			}
			this.audit.record(actor, "DELETE_ALIAS", pipeline, alias, reason);
		});
	}

	/** What retention would delete now: never the champion, the previous champion, a pending or an aliased version. */
	public RetentionPlan retention(String pipeline) {
		PipelineDefinition.Retention rules = this.catalog.get(pipeline).retention();
		Map<String, Integer> aliases = this.registry.aliases(pipeline);
		List<ModelVersion> versions = this.registry.versions(pipeline);
		Map<Integer, String> kept = new LinkedHashMap<>();
		List<Integer> delete = new ArrayList<>();
		for (int i = 0; i < versions.size(); i++) {
			ModelVersion v = versions.get(i);
			String why = null;
			for (Map.Entry<String, Integer> a : aliases.entrySet()) {
				if (a.getValue() == v.version()) {
					why = "aliased as " + a.getKey();
				}
			}
			if (why == null && isPending(v)) {
				why = "pending approval";
			}
			if (why == null && rules.keepLast() == null && rules.maxAgeDays() == null) {
				why = "no retention rule configured";
			}
			if (why == null && rules.keepLast() != null && i < rules.keepLast()) {
				why = "among the newest " + rules.keepLast();
			}
			if (why == null && rules.maxAgeDays() != null
					&& v.createdAt().plus(Duration.ofDays(rules.maxAgeDays())).isAfter(this.clock.instant())) {
				why = "younger than " + rules.maxAgeDays() + " days";
			}
			if (why != null) {
				kept.put(v.version(), why);
			}
			else {
				delete.add(v.version());
			}
		}
		return new RetentionPlan(pipeline, rules.keepLast(), rules.maxAgeDays(), delete, kept);
	}

	/** Deletes what {@link #retention} lists: the registry row first, then the files (a leftover directory is removed at start-up). */
	public RetentionPlan applyRetention(String pipeline, String actor) {
		RetentionPlan plan = retention(pipeline);
		for (int version : plan.delete()) {
			this.tx.executeWithoutResult(s -> {
				int rows = this.jdbc.update("DELETE FROM model_version WHERE pipeline = ? AND version = ? AND NOT EXISTS "
						+ "(SELECT 1 FROM model_alias WHERE model_alias.pipeline = model_version.pipeline "
						+ "AND model_alias.version = model_version.version)", pipeline, version);
				if (rows == 1) {
					this.audit.record(actor, "DELETE_VERSION", pipeline, "v" + version, "retention");
				}
			});
			ModelStore.deleteTree(this.store.versionDir(pipeline, version));
		}
		return plan;
	}

	private void cas(String pipeline, int version, Integer expected, String actor, String reason) {
		if (!this.registry.promote(pipeline, version, expected, actor, reason, null)) {
			Integer current = this.registry.champion(pipeline).orElse(null);
			throw new PromotionConflict("the champion of " + pipeline + " is " + describe(current) + ", not "
					+ describe(expected) + ": nothing changed", current);
		}
	}

	private void review(String pipeline, int version, String review, String actor, String reason) {
		this.jdbc.update("UPDATE model_version SET review = ?, reviewed_by = ?, reviewed_at = ?, review_reason = ? "
				+ "WHERE pipeline = ? AND version = ?", review, actor,
				java.time.OffsetDateTime.ofInstant(this.clock.instant(), java.time.ZoneOffset.UTC), reason, pipeline, version);
	}

	private ModelVersion pending(String pipeline, int version) {
		ModelVersion v = version(pipeline, version);
		if (!isPending(v)) {
			throw new IllegalTransition("v" + version + " of " + pipeline + " is not waiting for approval (decision "
					+ v.decision() + ((v.review() != null) ? ", " + v.review().toLowerCase() + " by " + v.reviewedBy() : "") + ")");
		}
		return v;
	}

	static boolean isPending(ModelVersion v) {
		return "PENDING".equals(v.decision()) && v.review() == null;
	}

	private ModelVersion version(String pipeline, int version) {
		this.catalog.get(pipeline);
		return this.registry.version(pipeline, version).orElseThrow(() -> new VersionNotFound(pipeline, version));
	}

	private static void checkAlias(String alias) {
		if (!ALIAS.matcher(alias).matches() || alias.equals(ModelRegistry.CHAMPION) || alias.equals(ModelRegistry.PREVIOUS)) {
			throw new IllegalArgumentException("alias '" + alias + "' must match " + ALIAS.pattern()
					+ " and not be champion or previous (those move by promotion and rollback)");
		}
	}

	private static void requireReason(String reason) {
		if (reason == null || reason.isBlank()) {
			throw new IllegalArgumentException("a reason is required");
		}
	}

	static String describe(Integer version) {
		return (version != null) ? "v" + version : "none";
	}

}

package dev.retrain.jobs.registry;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.models.files.PathSegment;
import dev.retrain.models.store.ModelStore;

/**
 * What people do to the registry: promote a chosen version, roll back, approve or reject
 * a pending version, force a version that failed its policy, move user-named aliases,
 * apply retention. The moves of a version's life are {@link ModelVersion}'s (it refuses
 * what its state does not allow); this class finds the version, asks it, and saves the
 * transition. Alias moves are compare-and-set (a stale belief changes nothing and raises
 * {@link PromotionConflict}). The audit log listens to the versions' events; moves of
 * user-named aliases and deletions are written to it here.
 */
public class RegistryOperations {

	private final ModelRegistry registry;

	private final ModelStore store;

	private final PipelineCatalog catalog;

	private final AuditLog audit;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate tx;

	private final Clock clock;

	public RegistryOperations(ModelRegistry registry, ModelStore store, PipelineCatalog catalog, AuditLog audit,
			JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
		this.registry = registry;
		this.store = store;
		this.catalog = catalog;
		this.audit = audit;
		this.jdbc = jdbc;
		this.tx = tx;
		this.clock = clock;
	}

	/**
	 * Makes {@code version} champion if the champion is {@code expected}; a version that
	 * failed its policy needs {@code force}.
	 */
	public ModelVersion promote(String pipeline, int version, Integer expected, String actor, String reason,
			boolean force) {
		ModelVersion v = version(pipeline, version);
		return save(v.promote(champion(pipeline), expected, force, actor, reason, this.clock.instant()));
	}

	/**
	 * Makes the shadow {@code version} champion if the champion is {@code expected}: its
	 * realised wins ({@code evidence}) are why ({@link ModelVersion#promoteFromShadow});
	 * audited as {@code SHADOW_PROMOTE}, and a committee lets it in as any champion move.
	 */
	public ModelVersion promoteFromShadow(String pipeline, int version, Integer expected, String actor,
			String evidence) {
		PipelineDefinition def = this.catalog.get(pipeline);
		ModelVersion v = version(pipeline, version);
		return save(v.promoteFromShadow(champion(pipeline), expected, def.approvalRequired(), actor, evidence));
	}

	/**
	 * Makes {@code previous} the champion again (and the current champion
	 * {@code previous}).
	 */
	public ModelVersion rollback(String pipeline, Integer expected, String actor, String reason) {
		this.catalog.get(pipeline);
		int previous = this.registry.alias(pipeline, ModelRegistry.PREVIOUS)
			.orElseThrow(() -> new IllegalTransition(
					"pipeline '" + pipeline + "' has no previous champion to roll back to"));
		return save(version(pipeline, previous).rollback(champion(pipeline), expected, actor, reason));
	}

	/** A pending version becomes champion (compare-and-set), reviewed as approved. */
	public ModelVersion approve(String pipeline, int version, Integer expected, String actor, String reason) {
		return save(
				version(pipeline, version).approve(champion(pipeline), expected, actor, reason, this.clock.instant()));
	}

	/** A pending version is turned down, with why; it stays registered. */
	public ModelVersion reject(String pipeline, int version, String actor, String reason) {
		return save(version(pipeline, version).reject(champion(pipeline), actor, reason, this.clock.instant()));
	}

	/**
	 * Saves a move; a stale belief (about the champion, or the version's own state)
	 * changes nothing and is a 409.
	 */
	private ModelVersion save(ModelVersion.Transition t) {
		ModelVersion v = t.version();
		if (t.championMove() != null) {
			// a champion must be loadable: never move the alias to a version whose files
			// are gone
			this.store.requireComplete(v.pipeline(), v.version());
		}
		if (!this.registry.save(t)) {
			Integer current = champion(v.pipeline());
			ModelVersion now = version(v.pipeline(), v.version());
			if (t.from() != null && (now.decision() != t.from().decision() || now.review() != t.from().review()
					|| now.forced() != t.from().forced())) {
				throw new PromotionConflict("v" + v.version() + " of " + v.pipeline() + " changed meanwhile (now "
						+ now.decision() + ((now.review() != null)
								? ", " + now.review().name().toLowerCase() + " by " + now.reviewedBy() : "")
						+ "): nothing changed", current);
			}
			throw new PromotionConflict("the champion of " + v.pipeline() + " is " + describe(current) + ", not "
					+ describe(t.championMove().from()) + ": nothing changed", current);
		}
		return version(v.pipeline(), v.version());
	}

	private Integer champion(String pipeline) {
		return this.registry.champion(pipeline).orElse(null);
	}

	/**
	 * Points a user-named alias (e.g. {@code shadow}) at a version, compare-and-set on
	 * its current target.
	 */
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
			this.audit.record(actor, "SET_ALIAS", pipeline, alias,
					describe(expected) + " -> v" + version + ": " + reason);
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

	/**
	 * What retention would delete now: never the champion, the previous champion, a
	 * pending or an aliased version, nor a member of the committee.
	 */
	public RetentionPlan retention(String pipeline) {
		PipelineDefinition.Retention rules = this.catalog.get(pipeline).retention();
		List<Integer> members = new CommitteeRegistry(this.jdbc, this.tx, this.clock, this.audit, this.store)
			.members(pipeline);
		Map<String, Integer> aliases = this.registry.aliases(pipeline);
		List<ModelVersion> versions = this.registry.versions(pipeline);
		Map<Integer, String> kept = new LinkedHashMap<>();
		List<Integer> delete = new ArrayList<>();
		for (int i = 0; i < versions.size(); i++) {
			ModelVersion v = versions.get(i);
			List<String> names = aliases.entrySet()
				.stream()
				.filter(a -> a.getValue() == v.version())
				.map(Map.Entry::getKey)
				// champion and previous say most: first
				.sorted(Comparator.comparing((String a) -> !a.equals(ModelRegistry.CHAMPION))
					.thenComparing(a -> !a.equals(ModelRegistry.PREVIOUS))
					.thenComparing(Comparator.naturalOrder()))
				.toList();
			String why = names.isEmpty() ? null
					: names.get(0).equals(ModelRegistry.CHAMPION) ? "the champion" + ((names.size() > 1)
							? " (also aliased as " + String.join(", ", names.subList(1, names.size())) + ")" : "")
							: "aliased as " + String.join(", ", names);
			if (why == null && members.contains(v.version())) {
				why = "a member of the committee";
			}
			if (why == null && v.awaitsApproval()) {
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

	/**
	 * Deletes what {@link #retention} lists: the registry row first, then the files (a
	 * leftover directory is removed at start-up).
	 */
	public RetentionPlan applyRetention(String pipeline, String actor) {
		RetentionPlan plan = retention(pipeline);
		for (int version : plan.delete()) {
			this.tx.executeWithoutResult(s -> {
				int rows = this.jdbc
					.update("DELETE FROM model_version WHERE pipeline = ? AND version = ? AND NOT EXISTS "
							+ "(SELECT 1 FROM model_alias WHERE model_alias.pipeline = model_version.pipeline "
							+ "AND model_alias.version = model_version.version)", pipeline, version);
				if (rows == 1) {
					this.audit.record(actor, "DELETE_VERSION", pipeline, "v" + version, "retention");
				}
			});
			this.store.deleteVersion(pipeline, version);
		}
		return plan;
	}

	private ModelVersion version(String pipeline, int version) {
		this.catalog.get(pipeline);
		return this.registry.version(pipeline, version).orElseThrow(() -> new VersionNotFound(pipeline, version));
	}

	private static void checkAlias(String alias) {
		PathSegment.name("alias", alias);
		if (alias.equals(ModelRegistry.CHAMPION) || alias.equals(ModelRegistry.PREVIOUS)) {
			throw new IllegalArgumentException("alias '" + alias
					+ "' is not one to set or delete: champion and previous move by promotion and rollback");
		}
	}

	private static void requireReason(String reason) {
		if (reason == null || reason.isBlank()) {
			throw new IllegalArgumentException("a reason is required");
		}
	}

	private static String describe(Integer version) {
		return ModelVersion.describe(version);
	}

}

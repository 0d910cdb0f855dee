package dev.retrain.jobs.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.models.faults.Failpoints;

/**
 * The persistence of {@link ModelVersion}s and their aliases. A version's artifact facts
 * are inserted once and never changed; where it stands changes only by saving a
 * {@link ModelVersion.Transition}. Aliases move only by compare-and-set, every move is
 * written to the alias history, and a transition's events are published in the same
 * transaction (as Spring Data publishes an aggregate's domain events on save), so a
 * listener that writes (the audit log, a webhook's entry in the event publication
 * registry) commits or rolls back with the move.
 */
public class ModelRegistry {

	public static final String CHAMPION = "champion";

	public static final String PREVIOUS = "previous";

	private static final RowMapper<ModelVersion> VERSION = ModelRegistry::version;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate tx;

	private final Clock clock;

	private final ApplicationEventPublisher events;

	public ModelRegistry(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, ApplicationEventPublisher events) {
		this.jdbc = jdbc;
		this.tx = tx;
		this.clock = clock;
		this.events = events;
	}

	public Optional<Integer> alias(String pipeline, String alias) {
		return this.jdbc
			.queryForList("SELECT version FROM model_alias WHERE pipeline = ? AND alias = ?", Integer.class, pipeline,
					alias)
			.stream()
			.findFirst();
	}

	public Optional<Integer> champion(String pipeline) {
		return alias(pipeline, CHAMPION);
	}

	public Map<String, Integer> aliases(String pipeline) {
		Map<String, Integer> aliases = new LinkedHashMap<>();
		this.jdbc.query("SELECT alias, version FROM model_alias WHERE pipeline = ? ORDER BY alias", (ResultSet rs) -> {
			aliases.put(rs.getString(1), rs.getInt(2));
		}, pipeline);
		return aliases;
	}

	public int nextVersion(String pipeline) {
		Integer max = this.jdbc.queryForObject("SELECT MAX(version) FROM model_version WHERE pipeline = ?",
				Integer.class, pipeline);
		return (max != null) ? max + 1 : 1;
	}

	public Optional<ModelVersion> versionOfJobInstance(String pipeline, long jobInstanceId) {
		return this.jdbc
			.query("SELECT * FROM model_version WHERE pipeline = ? AND job_instance_id = ?", VERSION, pipeline,
					jobInstanceId)
			.stream()
			.findFirst();
	}

	public Optional<ModelVersion> version(String pipeline, int version) {
		return this.jdbc
			.query("SELECT * FROM model_version WHERE pipeline = ? AND version = ?", VERSION, pipeline, version)
			.stream()
			.findFirst();
	}

	public List<ModelVersion> versions(String pipeline) {
		return this.jdbc.query("SELECT * FROM model_version WHERE pipeline = ? ORDER BY version DESC", VERSION,
				pipeline);
	}

	/**
	 * One page of a pipeline's versions, newest first: at most {@code limit}, skipping
	 * the {@code offset} newest.
	 */
	public List<ModelVersion> versions(String pipeline, long offset, int limit) {
		return this.jdbc.query("SELECT * FROM model_version WHERE pipeline = ? ORDER BY version DESC LIMIT ? OFFSET ?",
				VERSION, pipeline, limit, offset);
	}

	public long versionCount(String pipeline) {
		Long n = this.jdbc.queryForObject("SELECT COUNT(*) FROM model_version WHERE pipeline = ?", Long.class,
				pipeline);
		return (n != null) ? n : 0;
	}

	public Set<Integer> registeredVersions(String pipeline) {
		return new TreeSet<>(this.jdbc.queryForList("SELECT version FROM model_version WHERE pipeline = ?",
				Integer.class, pipeline));
	}

	public List<String> pipelinesWithVersions() {
		return this.jdbc.queryForList("SELECT DISTINCT pipeline FROM model_version ORDER BY pipeline", String.class);
	}

	/**
	 * Registers a run's new version ({@link ModelVersion#register}) and, when it won,
	 * moves the champion. A champion that moved in between turns the win into a
	 * {@link Decision#CONFLICT}, saved and published instead. Returns the version as
	 * saved.
	 */
	public ModelVersion register(ModelVersion.Transition registration) {
		return this.tx.execute(status -> {
			ModelVersion v = registration.version();
			insert(v);
			Failpoints.reach("register.row");
			ChampionChanged move = registration.championMove();
			if (move == null
					|| promote(move.pipeline(), move.to(), move.from(), move.actor(), move.reason(), move.runId())) {
				registration.events().forEach(this.events::publishEvent);
				return v;
			}
			// lost the race for the alias after all: registered as the conflict it turned
			// out to be
			ModelVersion.Transition conflict = v.conflict(move.from(), champion(v.pipeline()).orElse(null));
			ModelVersion lost = conflict.version();
			update(lost);
			this.events.publishEvent(new VersionRegistered(lost.pipeline(), lost.version(), lost.decision(),
					lost.decisionSummary(), lost.runId()));
			conflict.events().forEach(this.events::publishEvent);
			return lost;
		});
	}

	void insert(ModelVersion v) {
		this.jdbc.update("INSERT INTO model_version (pipeline, version, created_at, run_id, job_instance_id, mode, "
				+ "parent_version, snapshot_id, config_hash, primary_metric, primary_value, decision, decision_summary, "
				+ "metrics, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", v.pipeline(), v.version(),
				timestamp(v.createdAt()), v.runId(), v.jobInstanceId(), v.mode(), v.parentVersion(), v.snapshotId(),
				v.configHash(), v.primaryMetric(), finiteOrNull(v.primaryValue()), v.decision().name(),
				truncate(v.decisionSummary(), 4000), v.metrics(), v.path());
	}

	/**
	 * Persists a move of a version's life in one transaction: where the version stands,
	 * provided it still stands where the move found it, then the champion move it asks
	 * for (compare-and-set on the champion it expects), then its events. Returns false,
	 * changing nothing, when either belief is stale.
	 */
	boolean save(ModelVersion.Transition t) {
		Boolean done = this.tx.execute(status -> {
			if (t.from() != null && !updateFrom(t.from(), t.version())) {
				return false;
			}
			ChampionChanged move = t.championMove();
			if (move != null
					&& !promote(move.pipeline(), move.to(), move.from(), move.actor(), move.reason(), move.runId())) {
				status.setRollbackOnly();
				return false;
			}
			t.events().forEach(this.events::publishEvent);
			return true;
		});
		return Boolean.TRUE.equals(done);
	}

	/** Updates the version to {@code to} if its row still says what {@code from} says. */
	private boolean updateFrom(ModelVersion from, ModelVersion to) {
		List<Object> args = new ArrayList<>(List.of(to.decision().name(), truncate(to.decisionSummary(), 4000)));
		args.addAll(Arrays.asList((to.review() != null) ? to.review().name() : null, to.reviewedBy(),
				timestamp(to.reviewedAt()), truncate(to.reviewReason(), 2000), to.forced(), to.pipeline(), to.version(),
				from.decision().name(), from.forced()));
		if (from.review() != null) {
			args.add(from.review().name());
		}
		return this.jdbc.update("UPDATE model_version SET decision = ?, decision_summary = ?, review = ?, "
				+ "reviewed_by = ?, reviewed_at = ?, review_reason = ?, forced = ? WHERE pipeline = ? AND version = ? "
				+ "AND decision = ? AND forced = ? AND " + ((from.review() != null) ? "review = ?" : "review IS NULL"),
				args.toArray()) == 1;
	}

	private void update(ModelVersion v) {
		this.jdbc.update(
				"UPDATE model_version SET decision = ?, decision_summary = ?, review = ?, reviewed_by = ?, "
						+ "reviewed_at = ?, review_reason = ?, forced = ? WHERE pipeline = ? AND version = ?",
				v.decision().name(), truncate(v.decisionSummary(), 4000),
				(v.review() != null) ? v.review().name() : null, v.reviewedBy(), timestamp(v.reviewedAt()),
				truncate(v.reviewReason(), 2000), v.forced(), v.pipeline(), v.version());
	}

	/**
	 * Makes {@code version} the champion if the champion is still {@code expected} (null:
	 * there is none), and the old champion {@code previous}. Returns false, changing
	 * nothing, when the belief is stale.
	 */
	boolean promote(String pipeline, int version, Integer expected, String by, String reason, Long runId) {
		if (expected != null && expected == version) {
			return false;
		}
		Boolean done = this.tx.execute(status -> {
			Instant now = this.clock.instant();
			int changed;
			if (expected == null) {
				changed = this.jdbc.update(
						"INSERT INTO model_alias (pipeline, alias, version, updated_at) SELECT ?, ?, ?, ? "
								+ "WHERE NOT EXISTS (SELECT 1 FROM model_alias WHERE pipeline = ? AND alias = ?)",
						pipeline, CHAMPION, version, timestamp(now), pipeline, CHAMPION);
			}
			else {
				changed = this.jdbc.update(
						"UPDATE model_alias SET version = ?, updated_at = ? WHERE pipeline = ? AND alias = ? AND version = ?",
						version, timestamp(now), pipeline, CHAMPION, expected);
			}
			if (changed != 1) {
				return false;
			}
			history(pipeline, CHAMPION, expected, version, now, by, reason, runId);
			if (expected != null) {
				Integer oldPrevious = alias(pipeline, PREVIOUS).orElse(null);
				if (oldPrevious == null) {
					this.jdbc.update(
							"INSERT INTO model_alias (pipeline, alias, version, updated_at) VALUES (?, ?, ?, ?)",
							pipeline, PREVIOUS, expected, timestamp(now));
				}
				else {
					this.jdbc.update(
							"UPDATE model_alias SET version = ?, updated_at = ? WHERE pipeline = ? AND alias = ?",
							expected, timestamp(now), pipeline, PREVIOUS);
				}
				history(pipeline, PREVIOUS, oldPrevious, expected, now, by, reason, runId);
			}
			return true;
		});
		return Boolean.TRUE.equals(done);
	}

	/**
	 * Moves a user-named alias to {@code version} if it currently points at
	 * {@code expected} (null: nowhere).
	 */
	public boolean moveAlias(String pipeline, String alias, int version, Integer expected, String by, String reason) {
		requireUserAlias(alias);
		Instant now = this.clock.instant();
		int changed = (expected == null)
				? this.jdbc.update(
						"INSERT INTO model_alias (pipeline, alias, version, updated_at) SELECT ?, ?, ?, ? "
								+ "WHERE NOT EXISTS (SELECT 1 FROM model_alias WHERE pipeline = ? AND alias = ?)",
						pipeline, alias, version, timestamp(now), pipeline, alias)
				: this.jdbc
					.update("UPDATE model_alias SET version = ?, updated_at = ? WHERE pipeline = ? AND alias = ? "
							+ "AND version = ?", version, timestamp(now), pipeline, alias, expected);
		if (changed == 1) {
			history(pipeline, alias, expected, version, now, by, reason, null);
		}
		return changed == 1;
	}

	/** Removes a user-named alias if it points at {@code expected}. */
	public boolean removeAlias(String pipeline, String alias, Integer expected, String by, String reason) {
		requireUserAlias(alias);
		int changed = this.jdbc.update("DELETE FROM model_alias WHERE pipeline = ? AND alias = ? AND version = ?",
				pipeline, alias, expected);
		if (changed == 1) {
			history(pipeline, alias, expected, null, this.clock.instant(), by, reason, null);
		}
		return changed == 1;
	}

	private void history(String pipeline, String alias, Integer from, Integer to, Instant at, String by, String reason,
			Long runId) {
		this.jdbc.update(
				"INSERT INTO alias_history (pipeline, alias, from_version, to_version, changed_at, changed_by, "
						+ "reason, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				pipeline, alias, from, to, timestamp(at), by, truncate(reason, 4000), runId);
	}

	public List<AliasChange> history(String pipeline) {
		return this.jdbc.query("SELECT * FROM alias_history WHERE pipeline = ? ORDER BY id", ModelRegistry::change,
				pipeline);
	}

	/** The newest {@code limit} alias moves, oldest of them first. */
	public List<AliasChange> history(String pipeline, int limit) {
		List<AliasChange> newest = new ArrayList<>(
				this.jdbc.query("SELECT * FROM alias_history WHERE pipeline = ? ORDER BY id DESC LIMIT ?",
						ModelRegistry::change, pipeline, limit));
		Collections.reverse(newest);
		return newest;
	}

	public long historyCount(String pipeline) {
		Long n = this.jdbc.queryForObject("SELECT COUNT(*) FROM alias_history WHERE pipeline = ?", Long.class,
				pipeline);
		return (n != null) ? n : 0;
	}

	private static AliasChange change(ResultSet rs, int row) throws SQLException {
		return new AliasChange(rs.getLong("id"), rs.getString("pipeline"), rs.getString("alias"),
				(Integer) rs.getObject("from_version"), (Integer) rs.getObject("to_version"), instant(rs, "changed_at"),
				rs.getString("changed_by"), rs.getString("reason"), (Long) rs.getObject("run_id", Long.class));
	}

	private static ModelVersion version(ResultSet rs, int row) throws SQLException {
		return new ModelVersion(rs.getString("pipeline"), rs.getInt("version"), instant(rs, "created_at"),
				rs.getObject("run_id", Long.class), rs.getObject("job_instance_id", Long.class), rs.getString("mode"),
				rs.getObject("parent_version", Integer.class), rs.getString("snapshot_id"), rs.getString("config_hash"),
				rs.getString("primary_metric"), rs.getObject("primary_value", Double.class),
				Decision.valueOf(rs.getString("decision")), rs.getString("decision_summary"), rs.getString("metrics"),
				rs.getString("path"), (rs.getString("review") != null) ? Review.valueOf(rs.getString("review")) : null,
				rs.getString("reviewed_by"), instant(rs, "reviewed_at"), rs.getString("review_reason"),
				rs.getBoolean("forced"));
	}

	/**
	 * {@code champion} and {@code previous} move only with a version's life
	 * ({@link #save}, {@link #register}).
	 */
	private static void requireUserAlias(String alias) {
		if (CHAMPION.equals(alias) || PREVIOUS.equals(alias)) {
			throw new IllegalArgumentException("alias '" + alias + "' moves by promotion and rollback only");
		}
	}

	static Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
		return (t != null) ? t.toInstant() : null;
	}

	static OffsetDateTime timestamp(Instant instant) {
		return (instant != null) ? instant.atOffset(ZoneOffset.UTC) : null;
	}

	static Double finiteOrNull(Double d) {
		return (d != null && Double.isFinite(d)) ? d : null;
	}

	static String truncate(String s, int max) {
		return (s == null || s.length() <= max) ? s : s.substring(0, max - 1) + "…";
	}

}

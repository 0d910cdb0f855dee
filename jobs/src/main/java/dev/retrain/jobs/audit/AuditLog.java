package dev.retrain.jobs.audit;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every state change, who made it and why: promotions, rollbacks, approvals, deletions,
 * alias moves, schedule changes, launches, stops, restarts and configuration reloads.
 */
public class AuditLog {

	private final JdbcTemplate jdbc;

	private final Clock clock;

	public AuditLog(JdbcTemplate jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/** One recorded change. */
	public record Entry(long id, Instant at, String actor, String action, String pipeline, String target,
			String details) {
	}

	public void record(String actor, String action, String pipeline, String target, String details) {
		this.jdbc.update(
				"INSERT INTO audit_log (at, actor, action, pipeline, target, details) VALUES (?, ?, ?, ?, ?, ?)",
				OffsetDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC), actor, action, pipeline, target,
				(details != null && details.length() > 4000) ? details.substring(0, 3999) + "…" : details);
	}

	/** A change to record with others at once (see {@link #recordAll}). */
	public record Change(String pipeline, String target, String details) {
	}

	/**
	 * Records many changes by one actor in one batch: a reload that changes a thousand
	 * schedules writes a thousand rows in one round trip, not a thousand commits.
	 */
	public void recordAll(String actor, String action, List<Change> changes) {
		if (changes.isEmpty()) {
			return;
		}
		OffsetDateTime at = OffsetDateTime.ofInstant(this.clock.instant(), ZoneOffset.UTC);
		this.jdbc.batchUpdate(
				"INSERT INTO audit_log (at, actor, action, pipeline, target, details) VALUES (?, ?, ?, ?, ?, ?)",
				changes.stream()
					.map(c -> new Object[] { at, actor, action, c.pipeline(), c.target(), shortened(c.details()) })
					.toList());
	}

	private static String shortened(String details) {
		return (details != null && details.length() > 4000) ? details.substring(0, 3999) + "…" : details;
	}

	/** Newest first; {@code pipeline} and {@code action} filter when not null. */
	public List<Entry> query(String pipeline, String action, int limit) {
		return query(pipeline, action, null, null, limit);
	}

	/**
	 * Newest first; {@code pipeline}, {@code action} and the time range ({@code from}
	 * inclusive, {@code to} exclusive) filter when not null.
	 */
	public List<Entry> query(String pipeline, String action, Instant from, Instant to, int limit) {
		StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE 1 = 1");
		List<Object> args = new ArrayList<>();
		if (pipeline != null) {
			sql.append(" AND pipeline = ?");
			args.add(pipeline);
		}
		if (action != null) {
			sql.append(" AND action = ?");
			args.add(action);
		}
		if (from != null) {
			sql.append(" AND at >= ?");
			args.add(from.atOffset(ZoneOffset.UTC));
		}
		if (to != null) {
			sql.append(" AND at < ?");
			args.add(to.atOffset(ZoneOffset.UTC));
		}
		sql.append(" ORDER BY id DESC LIMIT ?");
		args.add(limit);
		return this.jdbc.query(sql.toString(),
				(rs, i) -> new Entry(rs.getLong("id"), rs.getObject("at", OffsetDateTime.class).toInstant(),
						rs.getString("actor"), rs.getString("action"), rs.getString("pipeline"), rs.getString("target"),
						rs.getString("details")),
				args.toArray());
	}

}

package dev.retrain.jobs.scoring;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.models.json.Json;

/**
 * The realised metric of every version a day was scored with (table
 * {@code realised_version}), as the label join measured it: the version served, each
 * committee member and each shadow. The committee's weights move by the {@code loss}
 * recorded here, and a shadow's promotion is decided on its {@code won} rows.
 */
public class RealisedVersions {

	/** How a version scored the day. */
	public enum ScoredAs {

		/**
		 * What production got: the champion, or the committee's vote under its number.
		 */
		SERVED,
		/** A committee member's own predictions. */
		MEMBER,
		/** A shadow version of {@code scoring.shadow}: kept, never served. */
		SHADOW

	}

	/**
	 * One version's realised metric on one day. {@code value} is {@code metric}'s (null:
	 * not measured, e.g. an AUC of one class), {@code loss} the committee's loss of the
	 * same rows. For a shadow: the served version it was compared with, the
	 * {@code difference} of {@code metric} (positive: the shadow is better), whether it
	 * {@code won} and why ({@code verdict}); null otherwise.
	 */
	public record Row(LocalDate day, int version, ScoredAs scoredAs, String metric, Double value, Double loss,
			long scoredRows, long labelledRows, Map<String, Double> metrics, Integer againstVersion, Double difference,
			Boolean won, String verdict) {
	}

	private static final String COLUMNS = "scored_day, version, scored_as, metric, metric_value, loss, scored_rows, "
			+ "labelled_rows, metrics, against_version, difference, won, verdict";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate tx;

	private final Clock clock;

	public RealisedVersions(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
		this.jdbc = jdbc;
		this.tx = tx;
		this.clock = clock;
	}

	/** Replaces a day's rows with {@code rows} (all of that day). */
	public void replace(String pipeline, LocalDate day, List<Row> rows) {
		this.tx.executeWithoutResult(status -> {
			this.jdbc.update("DELETE FROM realised_version WHERE pipeline = ? AND scored_day = ?", pipeline, day);
			for (Row r : rows) {
				this.jdbc.update(
						"INSERT INTO realised_version (pipeline, " + COLUMNS
								+ ", computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
						pipeline, day, r.version(), r.scoredAs().name(), r.metric(), finite(r.value()),
						finite(r.loss()), r.scoredRows(), r.labelledRows(),
						Json.MAPPER.writeValueAsString(numbers(r.metrics())), r.againstVersion(),
						finite(r.difference()), r.won(), truncate(r.verdict()), Timestamp.from(this.clock.instant()));
			}
		});
	}

	/**
	 * The days {@code from..to} (inclusive), oldest first, then served, members, shadows.
	 */
	public List<Row> between(String pipeline, LocalDate from, LocalDate to) {
		return this.jdbc
			.query("SELECT " + COLUMNS + " FROM realised_version WHERE pipeline = ? AND scored_day BETWEEN ? AND ? "
					+ "ORDER BY scored_day, CASE scored_as WHEN 'SERVED' THEN 0 WHEN 'MEMBER' THEN 1 ELSE 2 END, "
					+ "version", RealisedVersions::row, pipeline, from, to);
	}

	/** The newest day the pipeline has a row of, or null. */
	public LocalDate newestDay(String pipeline) {
		return this.jdbc.queryForObject("SELECT MAX(scored_day) FROM realised_version WHERE pipeline = ?",
				LocalDate.class, pipeline);
	}

	/** A shadow version's newest {@code limit} judged days, newest first. */
	public List<Row> newestAsShadow(String pipeline, int version, int limit) {
		return this.jdbc.query(
				"SELECT " + COLUMNS + " FROM realised_version WHERE pipeline = ? AND scored_as = ? "
						+ "AND version = ? ORDER BY scored_day DESC LIMIT ?",
				RealisedVersions::row, pipeline, ScoredAs.SHADOW.name(), version, limit);
	}

	@SuppressWarnings("unchecked")
	private static Row row(ResultSet rs, int i) throws SQLException {
		return new Row(rs.getObject("scored_day", LocalDate.class), rs.getInt("version"),
				ScoredAs.valueOf(rs.getString("scored_as")), rs.getString("metric"),
				(Double) rs.getObject("metric_value"), (Double) rs.getObject("loss"), rs.getLong("scored_rows"),
				rs.getLong("labelled_rows"), numbers(Json.MAPPER.readValue(rs.getString("metrics"), Map.class)),
				(Integer) rs.getObject("against_version"), (Double) rs.getObject("difference"),
				(Boolean) rs.getObject("won"), rs.getString("verdict"));
	}

	private static Double finite(Double v) {
		return (v != null && Double.isFinite(v)) ? v : null;
	}

	private static String truncate(String s) {
		return (s == null || s.length() <= 1000) ? s : s.substring(0, 997) + "...";
	}

	/** Each metric as a number, or null where it was not one: "not measured". */
	private static Map<String, Double> numbers(Map<String, ?> stored) {
		Map<String, Double> out = new LinkedHashMap<>();
		stored.forEach((k, v) -> out.put(k,
				(v instanceof Number n && Double.isFinite(n.doubleValue())) ? n.doubleValue() : null));
		return out;
	}

}

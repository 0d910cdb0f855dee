package dev.retrain.jobs.scoring;

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
 * Realised production performance per pipeline, day and model version (table
 * {@code realised_performance}): what the label-join job measured.
 */
public class RealisedPerformance {

	/** One day's realised performance of one version. */
	public record Day(LocalDate day, int version, String metric, Double value, long scoredRows, long labelledRows,
			Map<String, Double> metrics) {
	}

	private final JdbcTemplate jdbc;

	private final TransactionTemplate tx;

	private final Clock clock;

	public RealisedPerformance(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
		this.jdbc = jdbc;
		this.tx = tx;
		this.clock = clock;
	}

	/** Replaces a day's rows with {@code days} (all of that day). */
	public void replace(String pipeline, LocalDate day, List<Day> days) {
		this.tx.executeWithoutResult(status -> {
			this.jdbc.update("DELETE FROM realised_performance WHERE pipeline = ? AND scored_day = ?", pipeline, day);
			for (Day d : days) {
				this.jdbc.update(
						"INSERT INTO realised_performance (pipeline, scored_day, version, metric, metric_value, scored_rows, "
								+ "labelled_rows, metrics, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
						pipeline, day, d.version(), d.metric(),
						(d.value() != null && Double.isFinite(d.value())) ? d.value() : null, d.scoredRows(),
						d.labelledRows(), Json.MAPPER.writeValueAsString(numbers(d.metrics())),
						Timestamp.from(this.clock.instant()));
			}
		});
	}

	/** The days {@code from..to} (inclusive), oldest first. */
	@SuppressWarnings("unchecked")
	public List<Day> between(String pipeline, LocalDate from, LocalDate to) {
		return this.jdbc
			.query("SELECT scored_day, version, metric, metric_value, scored_rows, labelled_rows, metrics FROM "
					+ "realised_performance WHERE pipeline = ? AND scored_day BETWEEN ? AND ? ORDER BY scored_day, version",
					(rs, i) -> new Day(rs.getObject("scored_day", LocalDate.class), rs.getInt("version"),
							rs.getString("metric"), (Double) rs.getObject("metric_value"), rs.getLong("scored_rows"),
							rs.getLong("labelled_rows"),
							numbers(Json.MAPPER.readValue(rs.getString("metrics"), Map.class))),
					pipeline, from, to);
	}

	/**
	 * Each metric as a number, or null where it was not one (roc_auc of a day whose
	 * labels are all of one class): "not measured", never a number made up.
	 */
	private static Map<String, Double> numbers(Map<String, ?> stored) {
		Map<String, Double> out = new LinkedHashMap<>();
		stored.forEach((k, v) -> out.put(k,
				(v instanceof Number n && Double.isFinite(n.doubleValue())) ? n.doubleValue() : null));
		return out;
	}

}

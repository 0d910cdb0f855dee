package dev.retrain.jobs.drift;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;

import dev.retrain.models.json.Json;

/**
 * Stored drift reports: the full report as JSON, with the fields one filters on beside
 * it.
 */
public class DriftReports {

	private final JdbcTemplate jdbc;

	DriftReports(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	public long save(DriftReport r) {
		GeneratedKeyHolder key = new GeneratedKeyHolder();
		this.jdbc.update(c -> {
			var ps = c.prepareStatement(
					"INSERT INTO drift_report (pipeline, as_of, created_at, trigger_type, "
							+ "champion_version, status, summary, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					new String[] { "id" });
			ps.setString(1, r.pipeline());
			ps.setObject(2, r.asOf());
			ps.setObject(3, OffsetDateTime.ofInstant(r.createdAt(), ZoneOffset.UTC));
			ps.setString(4, r.trigger());
			ps.setObject(5, r.championVersion());
			ps.setString(6, r.status().name());
			ps.setString(7, truncate(r.summary()));
			ps.setString(8, Json.MAPPER.writeValueAsString(r));
			return ps;
		}, key);
		return key.getKey().longValue();
	}

	public void outcome(long id, String outcome) {
		this.jdbc.update("UPDATE drift_report SET outcome = ? WHERE id = ?", truncate(outcome), id);
	}

	public Optional<DriftReport> latest(String pipeline) {
		return history(pipeline, 1).stream().findFirst();
	}

	public List<DriftReport> history(String pipeline, int limit) {
		return this.jdbc.query(
				"SELECT id, report, outcome FROM drift_report WHERE pipeline = ? ORDER BY id DESC LIMIT ?",
				(rs, i) -> Json.MAPPER.readValue(rs.getString("report"), DriftReport.class)
					.withId(rs.getLong("id"), rs.getString("outcome")),
				pipeline, limit);
	}

	/**
	 * The staleness cost of the pipeline's checks since its last retrain started (all of
	 * them when it has none), summed in order and never below 0: a check that did better
	 * than the holdout takes cost off, but no credit is saved for later (a CUSUM).
	 */
	public double stalenessSinceLastRetrain(String pipeline) {
		OffsetDateTime last = this.jdbc.queryForObject("SELECT MAX(created_at) FROM retrain_run WHERE pipeline = ?",
				OffsetDateTime.class, pipeline);
		List<String> reports = (last != null)
				? this.jdbc.queryForList(
						"SELECT report FROM drift_report WHERE pipeline = ? AND created_at > ? ORDER BY id",
						String.class, pipeline, last)
				: this.jdbc.queryForList("SELECT report FROM drift_report WHERE pipeline = ? ORDER BY id", String.class,
						pipeline);
		double sum = 0;
		for (String json : reports) {
			DriftReport r = Json.MAPPER.readValue(json, DriftReport.class);
			if (r.cost() != null) {
				sum = Math.max(0, sum + r.cost().staleness());
			}
		}
		return sum;
	}

	private static String truncate(String s) {
		return (s == null || s.length() <= 4000) ? s : s.substring(0, 3999) + "…";
	}

}

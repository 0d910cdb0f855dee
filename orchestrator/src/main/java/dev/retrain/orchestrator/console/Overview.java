package dev.retrain.orchestrator.console;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;

/**
 * The overview's rows, read in a fixed number of queries whatever the number of
 * pipelines: the last run of each pipeline, its versions' primary metric (for the
 * sparkline), its champion, its latest drift check that had data (a later check of a
 * window without data does not hide it), and the next fire of its schedules. The same
 * tables the REST API reads: no second source of truth.
 */
@Component
public class Overview {

	/** One pipeline's line. */
	public record Row(String name, String description, Integer champion, String metric, Double metricValue,
			List<Double> metricOverVersions, Long lastRunId, String lastRunStatus, String lastRunTrigger,
			Instant lastRunAt, Instant nextFire, String driftStatus, Instant driftAt) {

		public String sparkline() {
			return Svg.sparkline(this.metricOverVersions, 96, 20);
		}

	}

	/** A page of rows, filtered and sorted, with what the pager needs. */
	public record Page(List<Row> rows, int total, int page, int pages, String query, String sort) {
	}

	static final int PAGE_SIZE = 50;

	private final PipelineCatalog catalog;

	private final JdbcTemplate jdbc;

	private final Scheduler scheduler;

	Overview(PipelineCatalog catalog, JdbcTemplate jdbc, Scheduler scheduler) {
		this.catalog = catalog;
		this.jdbc = jdbc;
		this.scheduler = scheduler;
	}

	Page page(String query, String sort, int page) {
		Map<String, Object[]> lastRuns = new HashMap<>();
		// the newest run of each pipeline: a grouped maximum, then a lookup by primary
		// key (a
		// window function over every run took most of the page's time on H2)
		this.jdbc.query("SELECT r.pipeline, r.run_id, r.status, r.trigger_type, r.created_at FROM retrain_run r "
				+ "JOIN (SELECT MAX(run_id) AS run_id FROM retrain_run GROUP BY pipeline) m ON r.run_id = m.run_id",
				rs -> {
					lastRuns.put(rs.getString(1), new Object[] { rs.getLong(2), rs.getString(3), rs.getString(4),
							instant(rs.getTimestamp(5)) });
				});
		Map<String, Integer> champions = new HashMap<>();
		this.jdbc.query("SELECT pipeline, version FROM model_alias WHERE alias = 'champion'", rs -> {
			champions.put(rs.getString(1), rs.getInt(2));
		});
		Map<String, List<Object[]>> versions = new HashMap<>();
		this.jdbc.query("SELECT pipeline, version, primary_metric, primary_value FROM model_version "
				+ "ORDER BY pipeline, version", rs -> {
					versions.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
						.add(new Object[] { rs.getInt(2), rs.getString(3), rs.getObject(4) });
				});
		Map<String, Object[]> drift = new HashMap<>();
		this.jdbc.query("SELECT pipeline, status, created_at FROM (SELECT pipeline, status, created_at, "
				+ "ROW_NUMBER() OVER (PARTITION BY pipeline ORDER BY CASE WHEN status = 'NO_DATA' THEN 1 ELSE 0 END, "
				+ "id DESC) AS n FROM drift_report) d WHERE n = 1", rs -> {
					drift.put(rs.getString(1), new Object[] { rs.getString(2), instant(rs.getTimestamp(3)) });
				});
		Map<String, Instant> nextFires = nextFires();

		String q = (query != null) ? query.trim().toLowerCase(Locale.ROOT) : "";
		List<Row> rows = new ArrayList<>();
		for (PipelineDefinition d : this.catalog.all()) {
			if (!q.isEmpty() && !d.name().contains(q)
					&& (d.description() == null || !d.description().toLowerCase(Locale.ROOT).contains(q))) {
				continue;
			}
			Integer champion = champions.get(d.name());
			List<Object[]> vs = versions.getOrDefault(d.name(), List.of());
			List<Double> spark = new ArrayList<>();
			String metric = null;
			Double value = null;
			for (Object[] v : vs) {
				if (v[2] instanceof Number n) {
					spark.add(n.doubleValue());
				}
				if (champion != null && champion.equals(v[0])) {
					metric = (String) v[1];
					value = (v[2] instanceof Number n) ? n.doubleValue() : null;
				}
			}
			Object[] run = lastRuns.get(d.name());
			Object[] dr = drift.get(d.name());
			rows.add(new Row(d.name(), d.description(), champion, metric, value, spark,
					(run != null) ? (Long) run[0] : null, (run != null) ? (String) run[1] : null,
					(run != null) ? (String) run[2] : null, (run != null) ? (Instant) run[3] : null,
					nextFires.get(d.name()), (dr != null) ? (String) dr[0] : null,
					(dr != null) ? (Instant) dr[1] : null));
		}
		rows.sort(comparator(sort));
		int pages = Math.max(1, (rows.size() + PAGE_SIZE - 1) / PAGE_SIZE);
		int p = Math.min(Math.max(0, page), pages - 1);
		return new Page(rows.subList(p * PAGE_SIZE, Math.min(rows.size(), (p + 1) * PAGE_SIZE)), rows.size(), p, pages,
				query, sort);
	}

	private static Comparator<Row> comparator(String sort) {
		Comparator<Row> byName = Comparator.comparing(Row::name);
		if (sort == null) {
			return byName;
		}
		return switch (sort) {
			case "status" -> Comparator.comparing((Row r) -> (r.lastRunStatus() != null) ? r.lastRunStatus() : "~")
				.thenComparing(byName);
			case "last-run" -> Comparator
				.comparing((Row r) -> (r.lastRunAt() != null) ? r.lastRunAt() : Instant.MIN, Comparator.reverseOrder())
				.thenComparing(byName);
			case "metric" ->
				Comparator
					.comparing((Row r) -> (r.metricValue() != null) ? r.metricValue() : Double.NEGATIVE_INFINITY,
							Comparator.reverseOrder())
					.thenComparing(byName);
			case "drift" -> Comparator.comparing((Row r) -> (r.driftStatus() != null) ? r.driftStatus() : "~")
				.thenComparing(byName);
			default -> byName;
		};
	}

	/**
	 * The earliest next fire of each pipeline's schedules (any kind): one query on
	 * Quartz's own table, rather than a trigger lookup per pipeline.
	 */
	private Map<String, Instant> nextFires() {
		Map<String, Instant> out = new HashMap<>();
		try {
			this.jdbc.query("SELECT trigger_name, MIN(next_fire_time) FROM qrtz_triggers WHERE sched_name = ? "
					+ "AND next_fire_time > 0 GROUP BY trigger_name", rs -> {
						out.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)));
					}, this.scheduler.getSchedulerName());
		}
		catch (SchedulerException ex) {
			// the schedules are a detail of the overview: shown as unknown
		}
		return out;
	}

	private static Instant instant(Timestamp t) {
		return (t != null) ? t.toInstant() : null;
	}

}

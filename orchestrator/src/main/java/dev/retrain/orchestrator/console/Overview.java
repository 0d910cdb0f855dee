package dev.retrain.orchestrator.console;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;

/**
 * The overview's rows, read in a fixed number of queries whatever the number of
 * pipelines, each bounded by the number of pipelines rather than the length of their
 * history: the last run of each pipeline, its champion and its primary metric, its latest
 * drift check that had data (a later check of a window without data does not hide it),
 * the next fire of its schedules, and, for the page's rows only, the primary metric of
 * its newest versions (the sparkline). The same tables the REST API reads: no second
 * source of truth.
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

	/** The versions a sparkline shows: the newest. */
	static final int SPARKLINE_VERSIONS = 30;

	private final PipelineCatalog catalog;

	private final JdbcTemplate jdbc;

	private final Scheduler scheduler;

	Overview(PipelineCatalog catalog, JdbcTemplate jdbc, Scheduler scheduler) {
		this.catalog = catalog;
		this.jdbc = jdbc;
		this.scheduler = scheduler;
	}

	Page page(String query, String sort, int page) {
		String q = (query != null) ? query.trim().toLowerCase(Locale.ROOT) : "";
		List<PipelineDefinition> shown = new ArrayList<>();
		for (PipelineDefinition d : this.catalog.all()) {
			if (q.isEmpty() || d.name().contains(q)
					|| (d.description() != null && d.description().toLowerCase(Locale.ROOT).contains(q))) {
				shown.add(d);
			}
		}
		Object names = shown.stream().map(PipelineDefinition::name).toArray(String[]::new);
		Map<String, Object[]> lastRuns = new HashMap<>();
		// the newest run of each pipeline shown: one index probe per pipeline on
		// (pipeline,
		// run_id), then a lookup by primary key (a grouped maximum over every run read
		// the
		// whole table: 0.7 s on PostgreSQL with 100,000 runs; a window function before it
		// took most of the page's time on H2)
		this.jdbc.query(con -> {
			PreparedStatement ps = con.prepareStatement(
					"SELECT r.pipeline, r.run_id, r.status, r.trigger_type, r.created_at FROM retrain_run r "
							+ "WHERE r.run_id IN (SELECT (SELECT MAX(x.run_id) FROM retrain_run x "
							+ "WHERE x.pipeline = p.name) FROM UNNEST(?) AS p(name))");
			ps.setArray(1, con.createArrayOf("VARCHAR", (Object[]) names));
			return ps;
		}, rs -> {
			lastRuns.put(rs.getString(1),
					new Object[] { rs.getLong(2), rs.getString(3), rs.getString(4), instant(rs.getTimestamp(5)) });
		});
		Map<String, Object[]> champions = new HashMap<>();
		this.jdbc.query("SELECT a.pipeline, a.version, v.primary_metric, v.primary_value FROM model_alias a "
				+ "JOIN model_version v ON v.pipeline = a.pipeline AND v.version = a.version WHERE a.alias = 'champion'",
				rs -> {
					champions.put(rs.getString(1), new Object[] { rs.getInt(2), rs.getString(3), rs.getObject(4) });
				});
		Map<String, Object[]> drift = new HashMap<>();
		// the latest check that had data, else the latest: two probes per pipeline on
		// (pipeline, id)
		this.jdbc.query(con -> {
			PreparedStatement ps = con.prepareStatement("SELECT d.pipeline, d.status, d.created_at FROM drift_report d "
					+ "WHERE d.id IN (SELECT COALESCE((SELECT MAX(x.id) FROM drift_report x WHERE x.pipeline = p.name "
					+ "AND x.status <> 'NO_DATA'), (SELECT MAX(y.id) FROM drift_report y WHERE y.pipeline = p.name)) "
					+ "FROM UNNEST(?) AS p(name))");
			ps.setArray(1, con.createArrayOf("VARCHAR", (Object[]) names));
			return ps;
		}, rs -> {
			drift.put(rs.getString(1), new Object[] { rs.getString(2), instant(rs.getTimestamp(3)) });
		});
		Map<String, Instant> nextFires = nextFires();

		List<Row> rows = new ArrayList<>();
		for (PipelineDefinition d : shown) {
			Object[] champion = champions.get(d.name());
			Object[] run = lastRuns.get(d.name());
			Object[] dr = drift.get(d.name());
			rows.add(new Row(d.name(), d.description(), (champion != null) ? (Integer) champion[0] : null,
					(champion != null) ? (String) champion[1] : null,
					(champion != null && champion[2] instanceof Number n) ? n.doubleValue() : null, List.of(),
					(run != null) ? (Long) run[0] : null, (run != null) ? (String) run[1] : null,
					(run != null) ? (String) run[2] : null, (run != null) ? (Instant) run[3] : null,
					nextFires.get(d.name()), (dr != null) ? (String) dr[0] : null,
					(dr != null) ? (Instant) dr[1] : null));
		}
		rows.sort(comparator(sort));
		int pages = Math.max(1, (rows.size() + PAGE_SIZE - 1) / PAGE_SIZE);
		int p = Math.min(Math.max(0, page), pages - 1);
		List<Row> onPage = rows.subList(p * PAGE_SIZE, Math.min(rows.size(), (p + 1) * PAGE_SIZE));
		return new Page(withSparklines(onPage), rows.size(), p, pages, query, sort);
	}

	/**
	 * The rows with their sparklines: the primary metric of each pipeline's newest
	 * {@link #SPARKLINE_VERSIONS} versions, oldest first, in one statement for the page's
	 * pipelines (each part reads at most that many rows of the primary key).
	 */
	private List<Row> withSparklines(List<Row> rows) {
		if (rows.isEmpty()) {
			return rows;
		}
		StringBuilder sql = new StringBuilder();
		for (int i = 0; i < rows.size(); i++) {
			sql.append((i == 0) ? "" : " UNION ALL ")
				.append("(SELECT pipeline, version, primary_value FROM model_version WHERE pipeline = ? "
						+ "ORDER BY version DESC FETCH FIRST " + SPARKLINE_VERSIONS + " ROWS ONLY)");
		}
		Map<String, TreeMap<Integer, Double>> values = new HashMap<>();
		this.jdbc.query(sql.toString(), rs -> {
			Object v = rs.getObject(3);
			if (v instanceof Number n) {
				values.computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getInt(2), n.doubleValue());
			}
		}, rows.stream().map(Row::name).toArray());
		List<Row> out = new ArrayList<>();
		for (Row r : rows) {
			TreeMap<Integer, Double> spark = values.get(r.name());
			out.add(new Row(r.name(), r.description(), r.champion(), r.metric(), r.metricValue(),
					(spark != null) ? new ArrayList<>(spark.values()) : List.of(), r.lastRunId(), r.lastRunStatus(),
					r.lastRunTrigger(), r.lastRunAt(), r.nextFire(), r.driftStatus(), r.driftAt()));
		}
		return out;
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

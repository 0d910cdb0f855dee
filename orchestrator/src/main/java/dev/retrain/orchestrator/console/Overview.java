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
 * The overview's rows: the last run of each pipeline, its champion and its primary
 * metric, its latest drift check that had data (a later check of a window without data
 * does not hide it), the next fire of its schedules, and the primary metric of its newest
 * versions (the sparkline). The same tables the REST API reads: no second source of
 * truth.
 * <p>
 * Only what the page shows is looked up, plus what its order needs: sorted by name (the
 * default), the page's 50 pipelines are chosen first and only they are looked up; sorted
 * by a looked-up value (last run, its status, the champion's metric, drift), that one
 * value is read for every pipeline shown, in one query, and the rest for the page's rows
 * only. Each query is bounded by the number of pipelines it asks about, not by the length
 * of their history (docs/capacity.md).
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

	/** A pipeline's last run: id, status, trigger, when. */
	private record LastRun(long id, String status, String trigger, Instant at) {
	}

	/** A pipeline's champion: version, primary metric and its value. */
	private record Champion(int version, String metric, Double value) {
	}

	/** A pipeline's latest drift check with data (else its latest): status, when. */
	private record Drift(String status, Instant at) {
	}

	/** What was looked up, by pipeline. */
	private record Lookups(Map<String, LastRun> lastRuns, Map<String, Champion> champions, Map<String, Drift> drift) {

		static Lookups none() {
			return new Lookups(Map.of(), Map.of(), Map.of());
		}

	}

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
		// the value the order needs, for every pipeline shown (one query); nothing when
		// the order is by name
		String order = order(sort);
		String[] all = shown.stream().map(PipelineDefinition::name).toArray(String[]::new);
		Lookups forOrder = switch (order) {
			case "status", "last-run" -> new Lookups(lastRuns(all), Map.of(), Map.of());
			case "metric" -> new Lookups(Map.of(), champions(all), Map.of());
			case "drift" -> new Lookups(Map.of(), Map.of(), drift(all));
			default -> Lookups.none();
		};
		List<Row> rows = new ArrayList<>(shown.size());
		for (PipelineDefinition d : shown) {
			rows.add(row(d, forOrder, null, List.of()));
		}
		rows.sort(comparator(sort));
		int pages = Math.max(1, (rows.size() + PAGE_SIZE - 1) / PAGE_SIZE);
		int p = Math.min(Math.max(0, page), pages - 1);
		List<Row> onPage = rows.subList(p * PAGE_SIZE, Math.min(rows.size(), (p + 1) * PAGE_SIZE));

		// everything else, for the page's rows only
		String[] names = onPage.stream().map(Row::name).toArray(String[]::new);
		Lookups forPage = new Lookups(
				order.equals("status") || order.equals("last-run") ? forOrder.lastRuns() : lastRuns(names),
				order.equals("metric") ? forOrder.champions() : champions(names),
				order.equals("drift") ? forOrder.drift() : drift(names));
		Map<String, Instant> nextFires = nextFires(names);
		Map<String, List<Double>> sparklines = sparklines(names);
		Map<String, PipelineDefinition> byName = new HashMap<>();
		shown.forEach(d -> byName.put(d.name(), d));
		List<Row> out = new ArrayList<>(onPage.size());
		for (Row r : onPage) {
			out.add(row(byName.get(r.name()), forPage, nextFires.get(r.name()),
					sparklines.getOrDefault(r.name(), List.of())));
		}
		return new Page(out, rows.size(), p, pages, query, sort);
	}

	private static Row row(PipelineDefinition d, Lookups l, Instant nextFire, List<Double> sparkline) {
		Champion c = l.champions().get(d.name());
		LastRun run = l.lastRuns().get(d.name());
		Drift dr = l.drift().get(d.name());
		return new Row(d.name(), d.description(), (c != null) ? c.version() : null, (c != null) ? c.metric() : null,
				(c != null) ? c.value() : null, sparkline, (run != null) ? run.id() : null,
				(run != null) ? run.status() : null, (run != null) ? run.trigger() : null,
				(run != null) ? run.at() : null, nextFire, (dr != null) ? dr.status() : null,
				(dr != null) ? dr.at() : null);
	}

	/**
	 * The newest run of each of {@code pipelines}: one probe of the index on (pipeline,
	 * run_id) per pipeline, then a lookup by primary key. A grouped maximum over every
	 * run reads the whole index (or, before it, the whole table: 0.7 s on PostgreSQL with
	 * 100,000 runs) and grows with the history; the probes grow with the pipelines asked
	 * about. Joined, not {@code run_id IN (SELECT ... FROM UNNEST(?))}: H2 evaluated that
	 * subquery for every run (12 to 20 s with 1,000 pipelines and 20,000 runs, against 40
	 * to 120 ms joined; docs/capacity.md).
	 */
	private Map<String, LastRun> lastRuns(String[] pipelines) {
		Map<String, LastRun> out = new HashMap<>();
		if (pipelines.length == 0) {
			return out;
		}
		this.jdbc.query(con -> {
			PreparedStatement ps = con.prepareStatement(
					"SELECT r.pipeline, r.run_id, r.status, r.trigger_type, r.created_at FROM UNNEST(?) AS p(name) "
							+ "JOIN retrain_run r ON r.run_id = (SELECT MAX(x.run_id) FROM retrain_run x "
							+ "WHERE x.pipeline = p.name)");
			ps.setArray(1, con.createArrayOf("VARCHAR", pipelines));
			return ps;
		}, rs -> {
			out.put(rs.getString(1),
					new LastRun(rs.getLong(2), rs.getString(3), rs.getString(4), instant(rs.getTimestamp(5))));
		});
		return out;
	}

	/** The champion of each of {@code pipelines}, with its primary metric. */
	private Map<String, Champion> champions(String[] pipelines) {
		Map<String, Champion> out = new HashMap<>();
		if (pipelines.length == 0) {
			return out;
		}
		this.jdbc.query(con -> {
			PreparedStatement ps = con.prepareStatement("SELECT a.pipeline, a.version, v.primary_metric, "
					+ "v.primary_value FROM model_alias a JOIN model_version v ON v.pipeline = a.pipeline "
					+ "AND v.version = a.version WHERE a.alias = 'champion' " + "AND a.pipeline = ANY(?)");
			ps.setArray(1, con.createArrayOf("VARCHAR", pipelines));
			return ps;
		}, rs -> {
			Object value = rs.getObject(4);
			out.put(rs.getString(1),
					new Champion(rs.getInt(2), rs.getString(3), (value instanceof Number n) ? n.doubleValue() : null));
		});
		return out;
	}

	/**
	 * The latest drift check of each of {@code pipelines} that had data, else its latest:
	 * two probes of the index on (pipeline, id) per pipeline.
	 */
	private Map<String, Drift> drift(String[] pipelines) {
		Map<String, Drift> out = new HashMap<>();
		if (pipelines.length == 0) {
			return out;
		}
		this.jdbc.query(con -> {
			PreparedStatement ps = con
				.prepareStatement("SELECT d.pipeline, d.status, d.created_at FROM UNNEST(?) AS p(name) "
						+ "JOIN drift_report d ON d.id = COALESCE((SELECT MAX(x.id) FROM drift_report x WHERE x.pipeline = p.name "
						+ "AND x.status <> 'NO_DATA'), (SELECT MAX(y.id) FROM drift_report y WHERE y.pipeline = p.name))");
			ps.setArray(1, con.createArrayOf("VARCHAR", pipelines));
			return ps;
		}, rs -> {
			out.put(rs.getString(1), new Drift(rs.getString(2), instant(rs.getTimestamp(3))));
		});
		return out;
	}

	/**
	 * The sparklines of {@code pipelines}: the primary metric of each one's newest
	 * {@link #SPARKLINE_VERSIONS} versions, oldest first, in one statement (each part
	 * reads at most that many rows of the primary key).
	 */
	private Map<String, List<Double>> sparklines(String[] pipelines) {
		Map<String, List<Double>> out = new HashMap<>();
		if (pipelines.length == 0) {
			return out;
		}
		StringBuilder sql = new StringBuilder();
		for (int i = 0; i < pipelines.length; i++) {
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
		}, (Object[]) pipelines);
		values.forEach((pipeline, spark) -> out.put(pipeline, new ArrayList<>(spark.values())));
		return out;
	}

	/** The order a {@code sort} parameter asks for: by name unless a known other. */
	private static String order(String sort) {
		if (sort == null) {
			return "name";
		}
		return switch (sort) {
			case "status", "last-run", "metric", "drift" -> sort;
			default -> "name";
		};
	}

	private static Comparator<Row> comparator(String sort) {
		Comparator<Row> byName = Comparator.comparing(Row::name);
		return switch (order(sort)) {
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
	 * The earliest next fire of the schedules (any kind) of each of {@code pipelines}:
	 * one query on Quartz's own table, rather than a trigger lookup per pipeline.
	 */
	private Map<String, Instant> nextFires(String[] pipelines) {
		Map<String, Instant> out = new HashMap<>();
		if (pipelines.length == 0) {
			return out;
		}
		try {
			String name = this.scheduler.getSchedulerName();
			this.jdbc.query(con -> {
				PreparedStatement ps = con
					.prepareStatement("SELECT trigger_name, MIN(next_fire_time) FROM qrtz_triggers "
							+ "WHERE sched_name = ? AND next_fire_time > 0 "
							+ "AND trigger_name = ANY(?) GROUP BY trigger_name");
				ps.setString(1, name);
				ps.setArray(2, con.createArrayOf("VARCHAR", pipelines));
				return ps;
			}, rs -> {
				out.put(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)));
			});
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

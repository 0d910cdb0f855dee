package dev.retrain.orchestrator.metrics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import dev.retrain.models.json.Json;

/**
 * Product metrics for Prometheus, read from the database (so every node reports the same
 * figures and nothing lives only in one JVM): runs by pipeline, status and trigger; last
 * run and step durations; rows read; training samples/s; the champion's primary metric;
 * drift statistics and their thresholds per feature, and whether the latest check found
 * drift; time since the last successful retrain; runs failed in a row; promotions and
 * rollbacks; steps waiting for a worker and for how long. Refreshed every
 * {@code retrain.metrics.refresh}.
 */
@Component
class RetrainMetrics implements MeterBinder {

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RetrainMetrics.class);

	private final JdbcTemplate jdbc;

	private final Clock clock;

	private MultiGauge runs;

	private MultiGauge runSeconds;

	private MultiGauge stepSeconds;

	private MultiGauge rowsRead;

	private MultiGauge samplesPerSecond;

	private MultiGauge champion;

	private MultiGauge drift;

	private MultiGauge sinceSuccess;

	private MultiGauge promotions;

	private MultiGauge rollbacks;

	private MultiGauge driftThreshold;

	private MultiGauge driftDetected;

	private MultiGauge consecutiveFailures;

	private MultiGauge waitingForWorker;

	private MultiGauge waitForWorker;

	private final boolean workers;

	private final Map<String, Parsed> reports = new ConcurrentHashMap<>();

	private final Map<String, Parsed> details = new ConcurrentHashMap<>();

	RetrainMetrics(JdbcTemplate jdbc, Clock clock, @Value("${retrain.workers.enabled:false}") boolean workers) {
		this.jdbc = jdbc;
		this.clock = clock;
		this.workers = workers;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.runs = MultiGauge.builder("retrain.runs")
			.description("runs by pipeline, status and trigger")
			.register(registry);
		this.runSeconds = MultiGauge.builder("retrain.last.run.duration").baseUnit("seconds").register(registry);
		this.stepSeconds = MultiGauge.builder("retrain.last.step.duration").baseUnit("seconds").register(registry);
		this.rowsRead = MultiGauge.builder("retrain.last.run.rows.read").register(registry);
		this.samplesPerSecond = MultiGauge.builder("retrain.training.samples.per.second").register(registry);
		this.champion = MultiGauge.builder("retrain.champion.metric")
			.description("the champion's primary metric on its holdout")
			.register(registry);
		this.drift = MultiGauge.builder("retrain.drift.statistic")
			.description("latest drift check: per feature statistic (KS or JS distance)")
			.register(registry);
		this.sinceSuccess = MultiGauge.builder("retrain.since.last.success").baseUnit("seconds").register(registry);
		this.promotions = MultiGauge.builder("retrain.promotions").description("champion changes").register(registry);
		this.rollbacks = MultiGauge.builder("retrain.rollbacks").register(registry);
		this.driftThreshold = MultiGauge.builder("retrain.drift.threshold")
			.description("latest drift check: per feature calibrated threshold of the statistic")
			.register(registry);
		this.driftDetected = MultiGauge.builder("retrain.drift.detected")
			.description("1 when the latest drift check of the pipeline found drift, else 0")
			.register(registry);
		this.consecutiveFailures = MultiGauge.builder("retrain.consecutive.failures")
			.description("runs that failed since the pipeline's last completed run")
			.register(registry);
		this.waitingForWorker = MultiGauge.builder("retrain.steps.waiting.for.worker")
			.description("steps sent to a worker queue that no worker has taken yet")
			.register(registry);
		this.waitForWorker = MultiGauge.builder("retrain.step.wait.for.worker")
			.baseUnit("seconds")
			.description("how long the oldest step no worker has taken has waited (0: none waits)")
			.register(registry);
		refresh();
	}

	@Scheduled(fixedDelayString = "${retrain.metrics.refresh:15s}",
			initialDelayString = "${retrain.metrics.refresh:15s}")
	void refresh() {
		if (this.runs == null) {
			return;
		}
		try {
			refreshFromDatabase();
		}
		catch (RuntimeException ex) {
			log.warn("metrics refresh failed (the previous values stay): {}", ex.getMessage());
		}
	}

	/**
	 * Every query is bounded by the number of pipelines, not by the length of their
	 * history: the newest row of a pipeline is one probe of an index on (pipeline, id)
	 * per pipeline ({@code UNNEST} of the pipelines that ran or were checked). Correlated
	 * per row instead, the refresh took a minute of the database's time with 100,000 runs
	 * and 100,000 drift reports (docs/capacity.md), every 15 seconds.
	 */
	private void refreshFromDatabase() {
		String[] ran = this.jdbc.queryForList("SELECT DISTINCT pipeline FROM retrain_run", String.class)
			.toArray(String[]::new);
		String[] checked = this.jdbc.queryForList("SELECT DISTINCT pipeline FROM drift_report", String.class)
			.toArray(String[]::new);
		this.runs.register(
				rows("SELECT pipeline, status, trigger_type, COUNT(*) FROM retrain_run GROUP BY pipeline, status, "
						+ "trigger_type", r -> Tags.of("pipeline", r[0], "status", r[1], "trigger", r[2])),
				true);
		this.runSeconds.register(rows("SELECT r.pipeline, EXTRACT(EPOCH FROM (r.ended_at - r.created_at)) FROM "
				+ newestRun("x.ended_at IS NOT NULL"), r -> Tags.of("pipeline", r[0]), ran), true);
		this.stepSeconds.register(rows(
				"SELECT r.pipeline, s.STEP_NAME, EXTRACT(EPOCH FROM (s.END_TIME - s.START_TIME)) " + "FROM "
						+ newestRun("x.status = 'COMPLETED'") + " JOIN BATCH_STEP_EXECUTION s "
						+ "ON s.JOB_EXECUTION_ID = r.run_id WHERE s.END_TIME IS NOT NULL",
				r -> Tags.of("pipeline", r[0], "step", r[1]), ran), true);
		this.rowsRead.register(rows("SELECT r.pipeline, r.rows_read FROM " + newestRun("x.rows_read IS NOT NULL"),
				r -> Tags.of("pipeline", r[0]), ran), true);
		this.champion.register(rows(
				"SELECT v.pipeline, v.primary_metric, v.primary_value FROM model_alias a JOIN model_version v "
						+ "ON v.pipeline = a.pipeline AND v.version = a.version WHERE a.alias = 'champion' AND v.primary_value IS NOT NULL",
				r -> Tags.of("pipeline", r[0], "metric", r[1])), true);
		// one run per pipeline at a time: the newest completed run ended last
		List<MultiGauge.Row<?>> since = new ArrayList<>();
		this.jdbc.query(con -> withPipelines(con, "SELECT r.pipeline, r.ended_at FROM "
				+ newestRun("x.status = 'COMPLETED'") + " WHERE r.ended_at IS NOT NULL", ran), (ResultSet rs) -> {
					OffsetDateTime t = rs.getObject(2, OffsetDateTime.class);
					double age = (this.clock.instant().toEpochMilli() - t.toInstant().toEpochMilli()) / 1000.0;
					since.add(MultiGauge.Row.of(Tags.of("pipeline", rs.getString(1)), age));
				});
		this.sinceSuccess.register(since, true);
		// every pipeline that has run has these series, 0 included: a panel or an alert
		// on them sees a series from the start
		this.promotions.register(rows(
				"SELECT p.name, (SELECT COUNT(*) FROM alias_history h WHERE h.alias = "
						+ "'champion' AND h.pipeline = p.name) FROM UNNEST(?) AS p(name)",
				r -> Tags.of("pipeline", r[0]), ran), true);
		this.rollbacks.register(rows(
				"SELECT p.name, (SELECT COUNT(*) FROM audit_log a WHERE a.action = "
						+ "'ROLLBACK' AND a.pipeline = p.name) FROM UNNEST(?) AS p(name)",
				r -> Tags.of("pipeline", r[0]), ran), true);
		this.consecutiveFailures.register(rows("SELECT p.name, (SELECT COUNT(*) FROM retrain_run f WHERE "
				+ "f.pipeline = p.name AND f.status = 'FAILED' AND f.run_id > COALESCE((SELECT MAX(c.run_id) FROM "
				+ "retrain_run c WHERE c.pipeline = p.name AND c.status = 'COMPLETED'), 0)) FROM UNNEST(?) AS p(name)",
				r -> Tags.of("pipeline", r[0]), ran), true);
		waiting(ran);
		String newestReport = "UNNEST(?) AS p(name) JOIN drift_report d ON d.id = (SELECT MAX(x.id) FROM "
				+ "drift_report x WHERE x.pipeline = p.name)";
		this.driftDetected
			.register(rows("SELECT d.pipeline, CASE WHEN d.status = 'DRIFT' THEN 1 ELSE 0 END FROM " + newestReport,
					r -> Tags.of("pipeline", r[0]), checked), true);
		// the newest report's features and the newest completed run's training speed:
		// read and parsed when a pipeline has a newer one, not at every refresh (1,000
		// drift reports are 10 MB of JSON)
		List<MultiGauge.Row<?>> thresholds = new ArrayList<>();
		List<MultiGauge.Row<?>> statistics = new ArrayList<>();
		for (Parsed p : newest(this.reports, "SELECT d.pipeline, d.id FROM " + newestReport,
				"SELECT d.pipeline, d.id, d.report FROM drift_report d WHERE d.id = ANY(?)", checked,
				(pipeline, report, first, second) -> {
					for (JsonNode f : report.path("features")) {
						first
							.add(MultiGauge.Row.of(Tags.of("pipeline", pipeline, "feature", f.get("feature").asString(),
									"test", f.get("test").asString()), f.get("threshold").asDouble()));
						second.add(MultiGauge.Row.of(
								Tags.of("pipeline", pipeline, "feature", f.get("feature").asString(), "test",
										f.get("test").asString(), "drifted",
										Boolean.toString(f.get("drifted").asBoolean())),
								f.get("statistic").asDouble()));
					}
				})) {
			thresholds.addAll(p.first());
			statistics.addAll(p.second());
		}
		this.driftThreshold.register(thresholds, true);
		List<MultiGauge.Row<?>> speeds = new ArrayList<>();
		for (Parsed p : newest(this.details, "SELECT r.pipeline, r.run_id FROM " + newestRun("x.status = 'COMPLETED'"),
				"SELECT r.pipeline, r.run_id, r.details FROM retrain_run r WHERE r.run_id = ANY(?)", ran,
				(pipeline, details, first, second) -> {
					JsonNode speed = details.at("/training/samplesPerSecond");
					if (speed.isNumber()) {
						first.add(MultiGauge.Row.of(Tags.of("pipeline", pipeline), speed.asDouble()));
					}
				})) {
			speeds.addAll(p.first());
		}
		this.samplesPerSecond.register(speeds, true);
		this.drift.register(statistics, true);
	}

	/** The gauge rows read from one pipeline's newest JSON row, and that row's id. */
	private record Parsed(long id, List<MultiGauge.Row<?>> first, List<MultiGauge.Row<?>> second) {
	}

	/** Makes gauge rows of a pipeline's JSON row. */
	interface JsonRows {

		void add(String pipeline, JsonNode json, List<MultiGauge.Row<?>> first, List<MultiGauge.Row<?>> second);

	}

	/**
	 * The rows of each pipeline's newest JSON row: {@code ids} (its parameter the array
	 * of {@code pipelines}) answers each pipeline and the id of its newest row; the rows
	 * whose id changed since the last refresh are read by {@code texts} (its parameter
	 * the array of ids; it answers pipeline, id, JSON text) and parsed, the others come
	 * from {@code cache}. A report's features and a completed run's training speed are
	 * written once.
	 */
	private List<Parsed> newest(Map<String, Parsed> cache, String ids, String texts, String[] pipelines,
			JsonRows rows) {
		Map<String, Long> newest = new HashMap<>();
		this.jdbc.query(con -> withPipelines(con, ids, pipelines), (ResultSet rs) -> {
			newest.put(rs.getString(1), rs.getLong(2));
		});
		cache.keySet().retainAll(newest.keySet());
		Long[] changed = newest.entrySet().stream().filter(e -> {
			Parsed was = cache.get(e.getKey());
			return was == null || was.id() != e.getValue();
		}).map(Map.Entry::getValue).toArray(Long[]::new);
		if (changed.length > 0) {
			this.jdbc.query(con -> {
				PreparedStatement ps = con.prepareStatement(texts);
				ps.setArray(1, con.createArrayOf("BIGINT", changed));
				return ps;
			}, (ResultSet rs) -> {
				List<MultiGauge.Row<?>> first = new ArrayList<>();
				List<MultiGauge.Row<?>> second = new ArrayList<>();
				String text = rs.getString(3);
				if (text != null) {
					rows.add(rs.getString(1), Json.MAPPER.readTree(text), first, second);
				}
				cache.put(rs.getString(1), new Parsed(rs.getLong(2), List.copyOf(first), List.copyOf(second)));
			});
		}
		return newest.keySet().stream().map(cache::get).filter(Objects::nonNull).toList();
	}

	/**
	 * A {@code FROM} clause: the newest run {@code r} of each pipeline of the array
	 * parameter that meets {@code condition} (on {@code x}). Joined, not
	 * {@code r.run_id IN (SELECT ... FROM UNNEST(?))}: H2 evaluated that subquery once
	 * per run of the table (seconds per query with 20,000 runs; docs/capacity.md).
	 */
	private static String newestRun(String condition) {
		return "UNNEST(?) AS p(name) JOIN retrain_run r ON r.run_id = (SELECT MAX(x.run_id) FROM retrain_run x "
				+ "WHERE x.pipeline = p.name AND " + condition + ")";
	}

	private static PreparedStatement withPipelines(Connection con, String sql, String[] pipelines) throws SQLException {
		PreparedStatement ps = con.prepareStatement(sql);
		ps.setArray(1, con.createArrayOf("VARCHAR", pipelines));
		return ps;
	}

	/**
	 * Steps sent to a worker queue and not yet taken (Spring Batch's STARTING: a worker
	 * marks the step STARTED when it takes it), per pipeline that has run, 0 included: a
	 * train or evaluate step on workers, and a search's candidates (which, without
	 * workers, wait for a local thread, not a worker).
	 */
	private void waiting(String[] ran) {
		Map<String, List<LocalDateTime>> waiting = new TreeMap<>();
		for (String p : ran) {
			waiting.put(p, new ArrayList<>());
		}
		this.jdbc.query("SELECT r.pipeline, s.CREATE_TIME FROM BATCH_STEP_EXECUTION s JOIN retrain_run r ON "
				+ "r.run_id = s.JOB_EXECUTION_ID WHERE s.STATUS = 'STARTING' AND (s.STEP_NAME LIKE '%-on-worker'"
				+ (this.workers ? " OR s.STEP_NAME LIKE 'search-candidate:%'" : "") + ")", (rs) -> {
					waiting.computeIfAbsent(rs.getString(1), p -> new ArrayList<>())
						.add(rs.getObject(2, LocalDateTime.class));
				});
		LocalDateTime now = LocalDateTime.now(this.clock);
		List<MultiGauge.Row<?>> counts = new ArrayList<>();
		List<MultiGauge.Row<?>> ages = new ArrayList<>();
		waiting.forEach((pipeline, created) -> {
			counts.add(MultiGauge.Row.of(Tags.of("pipeline", pipeline), created.size()));
			double oldest = created.stream()
				.filter(Objects::nonNull)
				.mapToDouble(t -> Math.max(0, Duration.between(t, now).toMillis() / 1000.0))
				.max()
				.orElse(0);
			ages.add(MultiGauge.Row.of(Tags.of("pipeline", pipeline), oldest));
		});
		this.waitingForWorker.register(counts, true);
		this.waitForWorker.register(ages, true);
	}

	/**
	 * Rows whose last column is the value and the others make the tags; the query's one
	 * parameter is the array of {@code pipelines}.
	 */
	private List<MultiGauge.Row<?>> rows(String sql, Function<String[], Tags> tags, String[] pipelines) {
		return this.jdbc.query(con -> withPipelines(con, sql, pipelines), (rs, i) -> {
			int n = rs.getMetaData().getColumnCount();
			String[] labels = new String[n - 1];
			for (int c = 1; c < n; c++) {
				labels[c - 1] = rs.getString(c);
			}
			return MultiGauge.Row.of(tags.apply(labels), rs.getDouble(n));
		});
	}

	/** Rows whose last column is the value and the others make the tags. */
	private List<MultiGauge.Row<?>> rows(String sql, Function<String[], Tags> tags) {
		return this.jdbc.query(sql, (rs, i) -> {
			int n = rs.getMetaData().getColumnCount();
			String[] labels = new String[n - 1];
			for (int c = 1; c < n; c++) {
				labels[c - 1] = rs.getString(c);
			}
			return MultiGauge.Row.of(tags.apply(labels), rs.getDouble(n));
		});
	}

}

package dev.retrain.orchestrator.capacity;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A year of history on PostgreSQL, copied in bulk from the rows of one real run and one
 * real drift check (see {@link CapacityBenchmark}). Every statement is an
 * {@code INSERT ... SELECT} over {@code generate_series}; the work tables are
 * {@code cap_*} and are dropped at the end.
 * <p>
 * Spread: of each kind (runs, versions, drift reports), 36.5% go to the daily pipelines
 * (the first tenth), round robin, the rest round robin to the others; within a pipeline
 * they are spaced evenly over the year, with jitter. Ids follow time, as they do when the
 * product writes them. Audit rows are spread evenly over the pipelines (one in twenty a
 * configuration reload, without a pipeline) and the year.
 */
final class Generator {

	/** The tables filled, in the order their rows are counted. */
	static final List<String> TABLES = List.of("retrain_run", "batch_job_instance", "batch_job_execution",
			"batch_job_execution_params", "batch_step_execution", "batch_step_execution_context",
			"batch_job_execution_context", "model_version", "model_alias", "alias_history", "audit_log", "drift_report",
			"drift_event");

	private final JdbcTemplate jdbc;

	private final CapacityBenchmark.Sizes sizes;

	private final Instant end;

	private final Instant start;

	Generator(JdbcTemplate jdbc, CapacityBenchmark.Sizes sizes, Instant end) {
		this.jdbc = jdbc;
		this.sizes = sizes;
		this.end = end;
		this.start = end.minus(365, ChronoUnit.DAYS);
	}

	Instant end() {
		return this.end;
	}

	void generate(long seedRun) {
		templates(seedRun);
		removeSeed(seedRun);
		long e0 = next("batch_job_execution_seq");
		long i0 = next("batch_job_instance_seq");
		long s0 = next("batch_step_execution_seq");
		int steps = this.jdbc.queryForObject("SELECT COUNT(*) FROM cap_tpl_step", Integer.class);
		slots("cap_run", this.sizes.runs());
		slots("cap_ver", this.sizes.versions());
		slots("cap_drift", this.sizes.drift());
		runs(e0, i0, s0, steps);
		versions(e0, i0);
		audit();
		drift();
		this.jdbc.execute("SELECT setval('batch_job_execution_seq', " + (e0 + this.sizes.runs()) + ")");
		this.jdbc.execute("SELECT setval('batch_job_instance_seq', " + (i0 + this.sizes.runs()) + ")");
		this.jdbc.execute("SELECT setval('batch_step_execution_seq', " + (s0 + (long) this.sizes.runs() * steps) + ")");
		for (String table : List.of("audit_log", "drift_report", "drift_event", "alias_history")) {
			this.jdbc.execute("SELECT setval(pg_get_serial_sequence('" + table
					+ "', 'id'), COALESCE((SELECT MAX(id) FROM " + table + "), 0) + 1, false)");
		}
		for (String t : List.of("cap_tpl_run", "cap_tpl_instance", "cap_tpl_execution", "cap_tpl_params",
				"cap_tpl_step", "cap_tpl_version", "cap_tpl_drift", "cap_run", "cap_ver", "cap_drift")) {
			this.jdbc.execute("DROP TABLE " + t);
		}
		// a year-old database has been vacuumed and analysed by autovacuum
		for (String t : TABLES) {
			this.jdbc.execute("VACUUM ANALYZE " + t);
		}
	}

	Map<String, Long> counts() {
		Map<String, Long> rows = new LinkedHashMap<>();
		for (String t : TABLES) {
			rows.put(t, this.jdbc.queryForObject("SELECT COUNT(*) FROM " + t, Long.class));
		}
		return rows;
	}

	int runsOf(String pipeline) {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM retrain_run WHERE pipeline = ?", Integer.class, pipeline);
	}

	long newestRunOf(String pipeline) {
		return this.jdbc.queryForObject("SELECT MAX(run_id) FROM retrain_run WHERE pipeline = ?", Long.class, pipeline);
	}

	int versionsOf(String pipeline) {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM model_version WHERE pipeline = ?", Integer.class,
				pipeline);
	}

	/** The seed's rows, kept as the templates of every copy. */
	private void templates(long run) {
		sql("CREATE UNLOGGED TABLE cap_tpl_run AS SELECT * FROM retrain_run WHERE run_id = " + run);
		sql("CREATE UNLOGGED TABLE cap_tpl_instance AS SELECT i.* FROM batch_job_instance i JOIN batch_job_execution e "
				+ "ON e.job_instance_id = i.job_instance_id WHERE e.job_execution_id = " + run);
		sql("CREATE UNLOGGED TABLE cap_tpl_execution AS SELECT e.*, c.short_context, c.serialized_context "
				+ "FROM batch_job_execution e LEFT JOIN batch_job_execution_context c "
				+ "ON c.job_execution_id = e.job_execution_id WHERE e.job_execution_id = " + run);
		sql("CREATE UNLOGGED TABLE cap_tpl_params AS SELECT * FROM batch_job_execution_params WHERE job_execution_id = "
				+ run);
		sql("CREATE UNLOGGED TABLE cap_tpl_step AS SELECT s.*, c.short_context, c.serialized_context, "
				+ "ROW_NUMBER() OVER (ORDER BY s.step_execution_id) AS rk, s.start_time - e.start_time AS off, "
				+ "s.end_time - s.start_time AS took FROM batch_step_execution s "
				+ "JOIN batch_job_execution e ON e.job_execution_id = s.job_execution_id "
				+ "LEFT JOIN batch_step_execution_context c ON c.step_execution_id = s.step_execution_id "
				+ "WHERE s.job_execution_id = " + run);
		sql("CREATE UNLOGGED TABLE cap_tpl_version AS SELECT * FROM model_version WHERE run_id = " + run);
		sql("CREATE UNLOGGED TABLE cap_tpl_drift AS SELECT * FROM drift_report ORDER BY id DESC LIMIT 1");
		for (String t : List.of("cap_tpl_run", "cap_tpl_instance", "cap_tpl_execution", "cap_tpl_version",
				"cap_tpl_drift")) {
			if (this.jdbc.queryForObject("SELECT COUNT(*) FROM " + t, Long.class) != 1) {
				throw new IllegalStateException("the seed left no single row for " + t);
			}
		}
	}

	/** The seed's own rows go: the copies replace them, so every count is exact. */
	private void removeSeed(long run) {
		sql("DELETE FROM model_alias");
		sql("DELETE FROM alias_history");
		sql("DELETE FROM model_version");
		sql("DELETE FROM drift_event");
		sql("DELETE FROM drift_report");
		sql("DELETE FROM retrain_run");
		sql("DELETE FROM batch_step_execution_context");
		sql("DELETE FROM batch_step_execution");
		sql("DELETE FROM batch_job_execution_context");
		sql("DELETE FROM batch_job_execution_params");
		sql("DELETE FROM batch_job_execution");
		sql("DELETE FROM batch_job_instance");
		sql("DELETE FROM audit_log");
	}

	/**
	 * {@code count} slots: the pipeline of each, its rank {@code k} within the pipeline,
	 * its time, and its rank {@code rid} in time over all pipelines.
	 */
	private void slots(String table, int count) {
		int p = this.sizes.pipelines();
		int daily = Math.max(1, p / 10);
		long dailyShare = (long) Math.floor(count * 0.365);
		sql("CREATE UNLOGGED TABLE " + table + " AS WITH s AS (SELECT n, CASE WHEN n <= " + dailyShare + " THEN n % "
				+ daily + " ELSE " + daily + " + n % " + (p - daily) + " END AS pi FROM generate_series(1::bigint, "
				+ count + ") n), "
				+ "k AS (SELECT n, pi, ROW_NUMBER() OVER (PARTITION BY pi ORDER BY n) AS k, COUNT(*) OVER (PARTITION BY pi) "
				+ "AS cnt FROM s), " + "t AS (SELECT n, 'p' || lpad(pi::text, 3, '0') AS pipeline, k, cnt, "
				+ ts(this.start)
				+ " + (((k - 1) + ((n * 7919) % 1000) / 2000.0) / cnt) * interval '365 days' AS at FROM k) "
				+ "SELECT t.*, ROW_NUMBER() OVER (ORDER BY at, n) AS rid, (n * 2654435761) % 1000003 % 100 AS h1, "
				+ "(n * 40503 + 17) % 1000033 % 100 AS h2, (n * 69069 + 5) % 999983 % 100 AS h3 FROM t");
	}

	private void runs(long e0, long i0, long s0, int steps) {
		sql("ALTER TABLE cap_run ADD COLUMN status VARCHAR(16), ADD COLUMN trig VARCHAR(16), "
				+ "ADD COLUMN decision VARCHAR(16), ADD COLUMN took INTERVAL, ADD COLUMN run_key VARCHAR(64), "
				+ "ADD COLUMN cause VARCHAR(200)");
		sql("UPDATE cap_run SET status = CASE WHEN h1 < 90 THEN 'COMPLETED' WHEN h1 < 97 THEN 'FAILED' ELSE 'STOPPED' END, "
				+ "trig = CASE WHEN h2 < 70 THEN 'schedule' WHEN h2 < 80 THEN 'drift' WHEN h2 < 88 THEN 'manual' "
				+ "WHEN h2 < 94 THEN 'api' ELSE 'data' END, took = ((30 + (n * 7) % 900) || ' seconds')::interval");
		sql("UPDATE cap_run SET decision = CASE WHEN status <> 'COMPLETED' THEN NULL WHEN h3 < 35 OR k = 1 THEN 'PROMOTE' "
				+ "WHEN h3 < 92 THEN 'REJECT' ELSE 'HOLD' END, "
				+ "run_key = CASE WHEN trig = 'schedule' THEN 'scheduled' ELSE trig || '-' || substr(md5(n::text), 1, 8) "
				+ "END, cause = CASE trig WHEN 'schedule' THEN 'schedule: cron 0 0 3 * * ? (UTC)' "
				+ "WHEN 'drift' THEN 'drift event drift-check/report-' || n WHEN 'data' THEN 'new partition landed' "
				+ "ELSE 'manual launch over REST' END");
		sql("INSERT INTO batch_job_instance (job_instance_id, version, job_name, job_key) SELECT " + i0
				+ " + c.rid, t.version, t.job_name, md5('capacity-' || c.rid) FROM cap_run c, cap_tpl_instance t");
		sql("INSERT INTO batch_job_execution (job_execution_id, version, job_instance_id, create_time, start_time, "
				+ "end_time, status, exit_code, exit_message, last_updated) SELECT " + e0 + " + c.rid, t.version, " + i0
				+ " + c.rid, c.at AT TIME ZONE 'UTC', (c.at + interval '100 milliseconds') AT TIME ZONE 'UTC', "
				+ "(c.at + c.took) AT TIME ZONE 'UTC', c.status, c.status, CASE WHEN c.status = 'FAILED' THEN "
				+ "'java.lang.IllegalStateException: data failed its checks' ELSE '' END, "
				+ "(c.at + c.took) AT TIME ZONE 'UTC' FROM cap_run c, cap_tpl_execution t");
		sql("INSERT INTO batch_job_execution_context (job_execution_id, short_context, serialized_context) SELECT " + e0
				+ " + c.rid, t.short_context, t.serialized_context FROM cap_run c, cap_tpl_execution t "
				+ "WHERE t.short_context IS NOT NULL");
		sql("INSERT INTO batch_job_execution_params (job_execution_id, parameter_name, parameter_type, parameter_value, "
				+ "identifying) SELECT " + e0 + " + c.rid, p.parameter_name, p.parameter_type, CASE p.parameter_name "
				+ "WHEN 'pipeline' THEN c.pipeline WHEN 'asOf' THEN ((c.at AT TIME ZONE 'UTC')::date - 1)::text "
				+ "WHEN 'runKey' THEN c.run_key WHEN 'trigger' THEN c.trig WHEN 'cause' THEN c.cause "
				+ "ELSE p.parameter_value END, p.identifying FROM cap_run c CROSS JOIN cap_tpl_params p");
		String stepId = s0 + " + (c.rid - 1) * " + steps + " + s.rk";
		sql("INSERT INTO batch_step_execution (step_execution_id, version, step_name, job_execution_id, create_time, "
				+ "start_time, end_time, status, commit_count, read_count, filter_count, write_count, read_skip_count, "
				+ "write_skip_count, process_skip_count, rollback_count, exit_code, exit_message, last_updated) SELECT "
				+ stepId + ", s.version, s.step_name, " + e0 + " + c.rid, (c.at AT TIME ZONE 'UTC') + s.off, "
				+ "(c.at AT TIME ZONE 'UTC') + s.off, (c.at AT TIME ZONE 'UTC') + s.off + s.took, "
				+ "CASE WHEN s.rk = " + steps + " THEN c.status ELSE 'COMPLETED' END, s.commit_count, s.read_count, "
				+ "s.filter_count, s.write_count, s.read_skip_count, s.write_skip_count, s.process_skip_count, "
				+ "s.rollback_count, CASE WHEN s.rk = " + steps
				+ " THEN c.status ELSE 'COMPLETED' END, s.exit_message, "
				+ "(c.at AT TIME ZONE 'UTC') + s.off + s.took FROM cap_run c CROSS JOIN cap_tpl_step s");
		sql("INSERT INTO batch_step_execution_context (step_execution_id, short_context, serialized_context) SELECT "
				+ stepId + ", s.short_context, s.serialized_context FROM cap_run c CROSS JOIN cap_tpl_step s "
				+ "WHERE s.short_context IS NOT NULL");
		sql("INSERT INTO retrain_run (run_id, job_instance_id, pipeline, as_of, run_key, trigger_type, cause, "
				+ "requested_mode, mode, mode_reason, status, snapshot_id, rows_read, candidate_version, "
				+ "champion_version, decision, decision_summary, failure_reason, progress, details, created_at, ended_at) "
				+ "SELECT " + e0 + " + c.rid, " + i0 + " + c.rid, c.pipeline, (c.at AT TIME ZONE 'UTC')::date - 1, "
				+ "c.run_key, c.trig, c.cause, t.requested_mode, t.mode, t.mode_reason, c.status, "
				+ "'ds-' || substr(md5('s' || c.n), 1, 16), t.rows_read + c.n % 500, "
				+ "CASE WHEN c.status = 'COMPLETED' THEN c.k END, CASE WHEN c.k > 1 THEN c.k - 1 END, c.decision, "
				+ "CASE c.decision WHEN 'PROMOTE' THEN 'promoted: roc_auc 0.8123 beats the champion''s 0.8071' "
				+ "WHEN 'REJECT' THEN 'kept the champion: roc_auc 0.8012 does not beat 0.8071' "
				+ "WHEN 'HOLD' THEN 'held: guard log_loss regressed by 0.61 (at most 0.5)' END, "
				+ "CASE c.status WHEN 'FAILED' THEN 'validate: data failed its checks: monthly_spend missing in 31% of "
				+ "rows (at most 20%)' WHEN 'STOPPED' THEN 'stopped by admin' END, t.progress, t.details, c.at, "
				+ "c.at + c.took FROM cap_run c, cap_tpl_run t");
	}

	private void versions(long e0, long i0) {
		sql("INSERT INTO model_version (pipeline, version, created_at, run_id, job_instance_id, mode, parent_version, "
				+ "snapshot_id, config_hash, primary_metric, primary_value, decision, decision_summary, metrics, path, "
				+ "review, forced) SELECT v.pipeline, v.k, v.at + interval '10 minutes', " + e0 + " + r.rid, " + i0
				+ " + r.rid, CASE WHEN v.h2 % 4 = 0 AND v.k > 1 THEN 'FINETUNE' ELSE 'RETRAIN' END, "
				+ "CASE WHEN v.h2 % 4 = 0 AND v.k > 1 THEN v.k - 1 END, 'ds-' || substr(md5('v' || v.n), 1, 16), "
				+ "t.config_hash, t.primary_metric, 0.70 + ((v.n * 31) % 2000) / 10000.0, "
				+ "CASE WHEN v.k = 1 OR v.h3 < 35 THEN 'PROMOTE' WHEN v.h3 < 90 THEN 'REJECT' WHEN v.h3 < 97 THEN 'HOLD' "
				+ "ELSE 'CONFLICT' END, 'decided by the promotion policy (roc_auc against the champion)', t.metrics, "
				+ "replace(t.path, '/p000/1', '/' || v.pipeline || '/' || v.k), NULL, FALSE "
				+ "FROM cap_ver v LEFT JOIN cap_run r ON r.pipeline = v.pipeline AND r.k = v.k, cap_tpl_version t "
				+ "ORDER BY v.rid");
		sql("INSERT INTO model_alias (pipeline, alias, version, updated_at) SELECT pipeline, "
				+ "CASE WHEN n = 1 THEN 'champion' ELSE 'previous' END, version, created_at FROM (SELECT pipeline, "
				+ "version, created_at, ROW_NUMBER() OVER (PARTITION BY pipeline ORDER BY version DESC) AS n "
				+ "FROM model_version WHERE decision = 'PROMOTE') p WHERE n <= 2");
		sql("INSERT INTO alias_history (pipeline, alias, from_version, to_version, changed_at, changed_by, reason, "
				+ "run_id) SELECT pipeline, 'champion', LAG(version) OVER (PARTITION BY pipeline ORDER BY version), "
				+ "version, created_at, COALESCE('run ' || run_id, 'admin'), decision_summary, run_id "
				+ "FROM model_version WHERE decision = 'PROMOTE' ORDER BY created_at");
	}

	private void audit() {
		int p = this.sizes.pipelines();
		sql("INSERT INTO audit_log (id, at, actor, action, pipeline, target, details) SELECT n, " + ts(this.start)
				+ " + n * (interval '365 days' / " + this.sizes.audit() + "), "
				+ "CASE WHEN a < 8 THEN 'system' WHEN a < 10 THEN 'run ' || n ELSE 'admin' END, "
				+ "(ARRAY['LAUNCH_RUN','LAUNCH_RUN','LAUNCH_RUN','LAUNCH_RUN','LAUNCH_RUN','LAUNCH_RUN','LAUNCH_RUN',"
				+ "'LAUNCH_RUN','AUTO_PROMOTE','AUTO_PROMOTE','PROMOTE','ROLLBACK','APPROVE','REJECT','STOP_RUN',"
				+ "'RESTART_RUN','SCHEDULE_CHANGE','SET_ALIAS','SCORE','RELOAD_CONFIG'])[a + 1], "
				+ "CASE WHEN a = 19 THEN NULL ELSE 'p' || lpad(((n * 7919) % " + p + ")::text, 3, '0') END, "
				+ "CASE WHEN a < 8 THEN 'run ' || n WHEN a = 19 THEN NULL ELSE 'v' || (n % 365 + 1) END, "
				+ "CASE WHEN a < 8 THEN 'as of ' || (" + ts(this.start) + " + n * (interval '365 days' / "
				+ this.sizes.audit() + "))::date || ', run key scheduled' " + "WHEN a = 19 THEN 'reloaded " + p
				+ " pipeline files: 0 failed' "
				+ "ELSE 'champion v' || (n % 365) || ' -> v' || (n % 365 + 1) || ': a reason given by a person' END "
				+ "FROM (SELECT n, (n * 7) % 20 AS a FROM generate_series(1::bigint, " + this.sizes.audit() + ") n) g");
	}

	private void drift() {
		sql("INSERT INTO drift_report (id, pipeline, as_of, created_at, trigger_type, champion_version, status, summary, "
				+ "outcome, report) SELECT d.rid, d.pipeline, (d.at AT TIME ZONE 'UTC')::date - 1, d.at, "
				+ "CASE WHEN d.h2 < 90 THEN 'schedule' ELSE 'api' END, t.champion_version, s.status, "
				+ "CASE s.status WHEN 'DRIFT' THEN 'drift: 3 of 6 features drifted (share needed 0.30); prediction drifted' "
				+ "WHEN 'NO_DRIFT' THEN t.summary ELSE 'no data in the current window' END, "
				+ "CASE WHEN s.status = 'DRIFT' THEN 'started run ' || d.rid END, "
				+ "replace(replace(replace(t.report, '\"pipeline\" : \"' || t.pipeline || '\"', '\"pipeline\" : \"' || "
				+ "d.pipeline || '\"'), '\"status\" : \"' || t.status || '\"', '\"status\" : \"' || s.status || '\"'), "
				+ "'\"asOf\" : \"' || t.as_of || '\"', '\"asOf\" : \"' || ((d.at AT TIME ZONE 'UTC')::date - 1) || '\"') "
				+ "FROM cap_drift d CROSS JOIN LATERAL (SELECT CASE WHEN d.h1 < 82 THEN 'NO_DRIFT' WHEN d.h1 < 92 "
				+ "THEN 'DRIFT' WHEN d.h1 < 96 THEN 'INSUFFICIENT_DATA' ELSE 'NO_DATA' END AS status) s, cap_tpl_drift t "
				+ "ORDER BY d.rid");
		sql("INSERT INTO drift_event (pipeline, source, event_id, severity, as_of, details, received_at, outcome, run_id, "
				+ "reason) SELECT pipeline, 'drift-check', 'report-' || id, 'warning', as_of, summary, created_at, "
				+ "CASE WHEN id % 3 = 0 THEN 'SUPPRESSED_COOLDOWN' ELSE 'STARTED_RUN' END, NULL, "
				+ "CASE WHEN id % 3 = 0 THEN 'within the cooldown of 24 h after the last retrain' END "
				+ "FROM drift_report WHERE status = 'DRIFT' ORDER BY id");
	}

	private long next(String sequence) {
		return this.jdbc.queryForObject("SELECT nextval('" + sequence + "')", Long.class);
	}

	private static String ts(Instant t) {
		return "timestamptz '" + t + "'";
	}

	private void sql(String sql) {
		this.jdbc.execute(sql);
	}

}

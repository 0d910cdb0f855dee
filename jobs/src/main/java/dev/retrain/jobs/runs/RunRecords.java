package dev.retrain.jobs.runs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;

import dev.retrain.jobs.registry.Decision;
import dev.retrain.models.json.Json;

/**
 * The run history table. Every write commits on its own (a new transaction), so that
 * progress and failure reasons are visible while a step's own transaction is still open
 * or is rolled back.
 */
public class RunRecords {

	private static final RowMapper<RunRecord> ROW = RunRecords::row;

	private final JdbcTemplate jdbc;

	private final JobRepository jobs;

	private final TransactionTemplate own;

	private final Clock clock;

	RunRecords(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, JobRepository jobs) {
		this.jdbc = jdbc;
		this.jobs = jobs;
		this.own = new TransactionTemplate(tx.getTransactionManager());
		this.own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.clock = clock;
	}

	public void create(long runId, long jobInstanceId, String pipeline, LocalDate asOf, String runKey, String trigger,
			String cause, String requestedMode) {
		// idempotent: the launcher records the run as soon as it has an id, the run
		// itself again as it starts;
		// the two may race, and the loser's duplicate key just means it is recorded
		try {
			write("INSERT INTO retrain_run (run_id, job_instance_id, pipeline, as_of, run_key, trigger_type, cause, "
					+ "requested_mode, status, created_at) SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'STARTED', ? "
					+ "WHERE NOT EXISTS (SELECT 1 FROM retrain_run WHERE run_id = ?)", runId, jobInstanceId, pipeline,
					asOf, runKey, trigger, truncate(cause), requestedMode, now(), runId);
		}
		catch (DuplicateKeyException ex) {
			// recorded by the other side
		}
	}

	public void snapshot(long runId, String snapshotId, long rows) {
		write("UPDATE retrain_run SET snapshot_id = ?, rows_read = ? WHERE run_id = ?", snapshotId, rows, runId);
	}

	public void mode(long runId, String mode, String reason) {
		write("UPDATE retrain_run SET mode = ?, mode_reason = ? WHERE run_id = ?", mode, truncate(reason), runId);
	}

	public void progress(long runId, String progress) {
		write("UPDATE retrain_run SET progress = ? WHERE run_id = ?", truncate(progress), runId);
	}

	public void decision(long runId, Integer championVersion, Decision decision, String summary) {
		write("UPDATE retrain_run SET champion_version = ?, decision = ?, decision_summary = ? WHERE run_id = ?",
				championVersion, decision.name(), truncate(summary), runId);
	}

	public void candidate(long runId, int version, Decision decision, String summary) {
		write("UPDATE retrain_run SET candidate_version = ?, decision = ?, decision_summary = ? WHERE run_id = ?",
				version, decision.name(), truncate(summary), runId);
	}

	public void finished(long runId, String status, String failureReason) {
		write("UPDATE retrain_run SET status = ?, failure_reason = ?, ended_at = ? WHERE run_id = ?", status,
				truncate(failureReason), now(), runId);
	}

	/**
	 * Adds one named section (validation report, metrics, training curve ...) to the
	 * run's details.
	 */
	public void detail(long runId, String section, Object value) {
		this.own.executeWithoutResult(s -> {
			String current = this.jdbc.queryForObject("SELECT details FROM retrain_run WHERE run_id = ?", String.class,
					runId);
			Map<String, Object> details = (current != null)
					? Json.MAPPER.readValue(current, new TypeReference<LinkedHashMap<String, Object>>() {
					}) : new LinkedHashMap<>();
			details.put(section, Json.MAPPER.convertValue(value, Object.class));
			this.jdbc.update("UPDATE retrain_run SET details = ? WHERE run_id = ?",
					Json.MAPPER.writeValueAsString(details), runId);
		});
	}

	/**
	 * Whether someone asked the run to stop ({@link RunLauncher#requestStop} marks the
	 * execution STOPPING; Spring Batch's own JobOperator.stop stores STOPPED at once, as
	 * it sets an end time): either counts while the run is still executing. Read in a
	 * transaction of its own: a step's transaction may predate the request.
	 */
	public boolean stopRequested(long runId) {
		return Boolean.TRUE.equals(this.own.execute(s -> {
			JobExecution execution = this.jobs.getJobExecution(runId);
			// a run that ended meanwhile (failed by the node that declared its node
			// stopped, and resumed as another execution) is fenced: the step that still
			// trains it stops at its next check instead of training beside the resumed
			// one
			return execution != null && (execution.getStatus() == BatchStatus.STOPPING
					|| execution.getStatus() == BatchStatus.STOPPED || !execution.getStatus().isRunning());
		}));
	}

	/**
	 * Runs of {@code pipeline} started by a schedule, a drift event or new data in the
	 * last {@code days} days (by this node's clock: a backtest's is simulated).
	 */
	public long automaticRunsInLast(String pipeline, int days) {
		Long n = this.jdbc.queryForObject(
				"SELECT COUNT(*) FROM retrain_run WHERE pipeline = ? AND trigger_type IN ('schedule', 'drift', 'data') "
						+ "AND created_at > ?",
				Long.class, pipeline, now().minusDays(days));
		return (n != null) ? n : 0;
	}

	public Optional<RunRecord> find(long runId) {
		return this.jdbc.query("SELECT * FROM retrain_run WHERE run_id = ?", ROW, runId).stream().findFirst();
	}

	public List<RunRecord> recent(String pipeline, int limit) {
		return (pipeline == null)
				? this.jdbc.query("SELECT * FROM retrain_run ORDER BY run_id DESC LIMIT ?", ROW, limit)
				: this.jdbc.query("SELECT * FROM retrain_run WHERE pipeline = ? ORDER BY run_id DESC LIMIT ?", ROW,
						pipeline, limit);
	}

	/**
	 * Runs matching the filters (each may be null), newest first, one page; and how many
	 * match in all.
	 */
	public record Page(List<RunRecord> runs, long total) {
	}

	public Page search(String pipeline, String status, String trigger, Instant from, Instant to, long offset,
			int limit) {
		StringBuilder where = new StringBuilder(" WHERE 1 = 1");
		List<Object> args = new ArrayList<>();
		if (pipeline != null) {
			where.append(" AND pipeline = ?");
			args.add(pipeline);
		}
		if (status != null) {
			where.append(" AND status = ?");
			args.add(status);
		}
		if (trigger != null) {
			where.append(" AND trigger_type = ?");
			args.add(trigger);
		}
		if (from != null) {
			where.append(" AND created_at >= ?");
			args.add(from.atOffset(ZoneOffset.UTC));
		}
		if (to != null) {
			where.append(" AND created_at < ?");
			args.add(to.atOffset(ZoneOffset.UTC));
		}
		Long total = this.jdbc.queryForObject("SELECT COUNT(*) FROM retrain_run" + where, Long.class, args.toArray());
		args.add(limit);
		args.add(offset);
		List<RunRecord> runs = this.jdbc
			.query("SELECT * FROM retrain_run" + where + " ORDER BY run_id DESC LIMIT ? OFFSET ?", ROW, args.toArray());
		return new Page(runs, (total != null) ? total : 0);
	}

	private void write(String sql, Object... args) {
		this.own.executeWithoutResult(s -> this.jdbc.update(sql, args));
	}

	private OffsetDateTime now() {
		return this.clock.instant().atOffset(ZoneOffset.UTC);
	}

	private static String truncate(String s) {
		return (s == null || s.length() <= 4000) ? s : s.substring(0, 3999) + "…";
	}

	private static RunRecord row(ResultSet rs, int i) throws SQLException {
		OffsetDateTime created = rs.getObject("created_at", OffsetDateTime.class);
		OffsetDateTime ended = rs.getObject("ended_at", OffsetDateTime.class);
		return new RunRecord(rs.getLong("run_id"), rs.getLong("job_instance_id"), rs.getString("pipeline"),
				rs.getObject("as_of", LocalDate.class), rs.getString("run_key"), rs.getString("trigger_type"),
				rs.getString("cause"), rs.getString("requested_mode"), rs.getString("mode"),
				rs.getString("mode_reason"), rs.getString("status"), rs.getString("snapshot_id"),
				rs.getObject("rows_read", Long.class), rs.getObject("candidate_version", Integer.class),
				rs.getObject("champion_version", Integer.class),
				(rs.getString("decision") != null) ? Decision.valueOf(rs.getString("decision")) : null,
				rs.getString("decision_summary"), rs.getString("failure_reason"), rs.getString("progress"),
				rs.getString("details"), (created != null) ? created.toInstant() : null,
				(ended != null) ? ended.toInstant() : null);
	}

}

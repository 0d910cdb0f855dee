package dev.retrain.jobs.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Opt-in retention of the history tables that otherwise grow for ever: audit rows, drift
 * reports and drift events older than a cut-off are deleted, a batch at a time (short
 * transactions, oldest first along the primary key). Nothing is deleted for a cut-off
 * that is null. The newest drift report of each pipeline is always kept (the overview and
 * the drift page show it). Runs and model versions are never touched here.
 */
public class HistoryRetention {

	static final int BATCH = 5_000;

	private final JdbcTemplate jdbc;

	private final int batch;

	public HistoryRetention(JdbcTemplate jdbc) {
		this(jdbc, BATCH);
	}

	HistoryRetention(JdbcTemplate jdbc, int batch) {
		this.jdbc = jdbc;
		this.batch = batch;
	}

	/** How many rows went. */
	public record Deleted(long auditRows, long driftReports, long driftEvents) {

		public long total() {
			return this.auditRows + this.driftReports + this.driftEvents;
		}

	}

	/**
	 * Deletes audit rows from before {@code auditBefore}, drift reports created before
	 * {@code driftReportsBefore} (but the newest of each pipeline) and drift events
	 * received before {@code driftEventsBefore}; a null cut-off keeps that table whole.
	 */
	public Deleted forget(Instant auditBefore, Instant driftReportsBefore, Instant driftEventsBefore) {
		long audit = (auditBefore != null) ? inBatches("DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log "
				+ "WHERE at < ? ORDER BY id FETCH FIRST " + this.batch + " ROWS ONLY)", auditBefore) : 0;
		long reports = (driftReportsBefore != null) ? inBatches(
				"DELETE FROM drift_report WHERE id IN (SELECT d.id "
						+ "FROM drift_report d WHERE d.created_at < ? AND d.id < (SELECT MAX(x.id) FROM drift_report x "
						+ "WHERE x.pipeline = d.pipeline) ORDER BY d.id FETCH FIRST " + this.batch + " ROWS ONLY)",
				driftReportsBefore) : 0;
		long events = (driftEventsBefore != null) ? inBatches("DELETE FROM drift_event WHERE id IN (SELECT id "
				+ "FROM drift_event WHERE received_at < ? ORDER BY id FETCH FIRST " + this.batch + " ROWS ONLY)",
				driftEventsBefore) : 0;
		return new Deleted(audit, reports, events);
	}

	private long inBatches(String delete, Instant before) {
		OffsetDateTime cutOff = before.atOffset(ZoneOffset.UTC);
		long total = 0;
		int n;
		do {
			n = this.jdbc.update(delete, cutOff);
			total += n;
		}
		while (n == this.batch);
		return total;
	}

}

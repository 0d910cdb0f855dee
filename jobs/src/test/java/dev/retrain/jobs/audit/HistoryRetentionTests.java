package dev.retrain.jobs.audit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opt-in retention on the real schema (an embedded H2 database migrated by the real
 * Flyway migrations): only what is past its cut-off goes, a batch at a time, the newest
 * drift report of each pipeline stays, and a table without a cut-off is not touched.
 */
@JdbcTest
@Transactional(propagation = Propagation.NOT_SUPPORTED)
class HistoryRetentionTests {

	static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

	@Autowired
	JdbcTemplate jdbc;

	/** No beans beyond the slice's data source and JdbcTemplate. */
	@Configuration(proxyBeanMethods = false)
	static class Slice {

	}

	@Test
	void deletesOnlyWhatIsPastItsCutOffAndKeepsTheNewestReportOfEachPipeline() {
		clear();
		// audit: 30 rows a day for 400 days
		for (int d = 400; d >= 1; d--) {
			for (int i = 0; i < 30; i++) {
				this.jdbc.update("INSERT INTO audit_log (at, actor, action, pipeline, target) VALUES (?, 'system', "
						+ "'LAUNCH_RUN', 'a', 'run')", at(d).plusSeconds(i));
			}
		}
		// drift reports: pipeline a checked daily for 100 days, b last checked 200 days
		// ago
		for (int d = 100; d >= 1; d--) {
			report("a", d);
		}
		report("b", 201);
		report("b", 200);
		for (int d = 100; d >= 1; d--) {
			this.jdbc.update("INSERT INTO drift_event (pipeline, source, event_id, severity, received_at, outcome) "
					+ "VALUES ('a', 'drift-check', ?, 'warning', ?, 'STARTED_RUN')", "report-" + d, at(d));
		}

		HistoryRetention.Deleted nothing = new HistoryRetention(this.jdbc).forget(null, null, null);
		assertThat(nothing.total()).isZero();
		assertThat(count("audit_log")).isEqualTo(400 * 30);

		// batches of 100: the 1,050 audit rows past their cut-off go in 11
		HistoryRetention.Deleted deleted = new HistoryRetention(this.jdbc, 100).forget(cutOff(365), cutOff(30), null);

		assertThat(deleted.auditRows()).isEqualTo(35 * 30);
		assertThat(count("audit_log")).isEqualTo(365 * 30);
		assertThat(this.jdbc.queryForObject("SELECT MIN(at) FROM audit_log", OffsetDateTime.class).toInstant())
			.isAfterOrEqualTo(cutOff(365));
		assertThat(deleted.driftReports()).isEqualTo(70 + 1);
		assertThat(this.jdbc.queryForList("SELECT pipeline FROM drift_report WHERE pipeline = 'b'", String.class))
			.as("the newest report of a pipeline stays, however old")
			.hasSize(1);
		assertThat(
				this.jdbc.queryForObject("SELECT COUNT(*) FROM drift_report WHERE pipeline = 'a' AND created_at >= ?",
						Long.class, cutOff(30).atOffset(ZoneOffset.UTC)))
			.isEqualTo(30L)
			.isEqualTo(this.jdbc.queryForObject("SELECT COUNT(*) FROM drift_report WHERE pipeline = 'a'", Long.class));
		assertThat(deleted.driftEvents()).isZero();
		assertThat(count("drift_event")).as("no cut-off: kept whole").isEqualTo(100);

		HistoryRetention.Deleted events = new HistoryRetention(this.jdbc, 100).forget(cutOff(365), null, cutOff(10));
		assertThat(events.driftEvents()).isEqualTo(90);
		assertThat(this.jdbc.queryForList("SELECT event_id FROM drift_event ORDER BY id", String.class))
			.isEqualTo(List.of("report-10", "report-9", "report-8", "report-7", "report-6", "report-5", "report-4",
					"report-3", "report-2", "report-1"));
		assertThat(count("audit_log")).as("a second pass finds nothing more").isEqualTo(365 * 30);
	}

	private void report(String pipeline, int daysAgo) {
		this.jdbc.update(
				"INSERT INTO drift_report (pipeline, as_of, created_at, trigger_type, status, summary, report) "
						+ "VALUES (?, ?, ?, 'schedule', 'NO_DRIFT', 'no drift', '{}')",
				pipeline, LocalDate.ofInstant(NOW, ZoneOffset.UTC).minusDays(daysAgo), at(daysAgo));
	}

	private void clear() {
		this.jdbc.update("DELETE FROM audit_log");
		this.jdbc.update("DELETE FROM drift_event");
		this.jdbc.update("DELETE FROM drift_report");
	}

	private long count(String table) {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Long.class);
	}

	/** Noon, {@code days} days before now. */
	private static OffsetDateTime at(int days) {
		return NOW.minus(days, ChronoUnit.DAYS).plus(12, ChronoUnit.HOURS).atOffset(ZoneOffset.UTC);
	}

	private static Instant cutOff(int days) {
		return NOW.minus(days, ChronoUnit.DAYS);
	}

}

package dev.retrain.orchestrator.console;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.quartz.Scheduler;
import org.quartz.impl.StdSchedulerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.orchestrator.console.Overview.Row;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The overview's pages on the real schema (an embedded H2 database migrated by the real
 * Flyway migrations), against what the rows must be, computed here from the data the test
 * wrote: for every order and every page, each row's last run (the highest run id, even
 * when an older run has a later time), champion and metric, latest drift check with data
 * (else the latest), next fire and sparkline, in the order the sort names. The overview
 * looks up only the page's rows, and for an order by a looked-up value reads that value
 * for every pipeline first: this pins that the pages are the same as when every row was
 * looked up.
 */
@JdbcTest
@Transactional(propagation = Propagation.NOT_SUPPORTED)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverviewTests {

	/** Three pages of 50 and a short one. */
	static final int PIPELINES = 2 * Overview.PAGE_SIZE + 17;

	static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

	static final String[] RUN_STATUSES = { "COMPLETED", "FAILED", "STOPPED", "RUNNING" };

	static final String[] DRIFT_STATUSES = { "DRIFT", "NO_DRIFT", "NO_DATA" };

	@Autowired
	JdbcTemplate jdbc;

	@TempDir
	static Path configs;

	Scheduler scheduler;

	Overview overview;

	/** The rows every page must show, by name: built here from what was written. */
	final List<Row> expected = new ArrayList<>();

	/** No beans beyond the slice's data source and JdbcTemplate. */
	@Configuration(proxyBeanMethods = false)
	static class Slice {

	}

	@BeforeAll
	void write() throws Exception {
		Properties quartz = new Properties();
		quartz.setProperty("org.quartz.scheduler.instanceName", "overview-" + UUID.randomUUID());
		quartz.setProperty("org.quartz.threadPool.threadCount", "1");
		quartz.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
		this.scheduler = new StdSchedulerFactory(quartz).getScheduler();
		for (String table : List.of("model_alias", "model_version", "retrain_run", "drift_report", "qrtz_triggers",
				"qrtz_job_details")) {
			this.jdbc.update("DELETE FROM " + table);
		}
		Random random = new Random(29);
		long runId = 0;
		for (int i = 0; i < PIPELINES; i++) {
			String name = String.format(Locale.ROOT, "p%03d", i);
			String description = (i % 7 == 0) ? "churn of the " + i + "th shop" : "test pipeline";
			PipelineFixtures.write(configs, name, PipelineFixtures.yaml(name, "data", PipelineFixtures.WEAK_MODEL, "")
				.replace("description: test pipeline", "description: " + description));
			// runs: ids rise across pipelines in turn; the newest id is the last run,
			// even when an older run of the pipeline was created later (times from a
			// few values, so that pipelines tie and their names order them)
			Long lastId = null;
			String lastStatus = null;
			String lastTrigger = null;
			Instant lastAt = null;
			int runs = random.nextInt(5);
			for (int r = 0; r < runs; r++) {
				runId += 1 + random.nextInt(3);
				Instant at = T0.plusSeconds(3600L * random.nextInt(12));
				String status = RUN_STATUSES[random.nextInt(RUN_STATUSES.length)];
				String trigger = (random.nextBoolean()) ? "SCHEDULE" : "MANUAL";
				this.jdbc.update(
						"INSERT INTO retrain_run (run_id, job_instance_id, pipeline, as_of, run_key, trigger_type, "
								+ "status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
						runId, runId, name, LocalDate.of(2026, 1, 1), "k" + runId, trigger, status,
						at.atOffset(ZoneOffset.UTC));
				lastId = runId;
				lastStatus = status;
				lastTrigger = trigger;
				lastAt = at;
			}
			// versions: a sparkline of the newest 30 (some without a value), a champion
			// for most, metric values from a few so that champions tie
			int versions = (i == 3) ? 34 : random.nextInt(4);
			List<Double> values = new ArrayList<>();
			for (int v = 1; v <= versions; v++) {
				Double value = (random.nextInt(6) == 0) ? null : 0.5 + random.nextInt(5) / 10.0;
				this.jdbc.update("INSERT INTO model_version (pipeline, version, created_at, mode, snapshot_id, "
						+ "config_hash, primary_metric, primary_value, decision, decision_summary, metrics, path) "
						+ "VALUES (?, ?, ?, 'FULL', 's', 'h', 'roc_auc', ?, 'PROMOTE', 'd', '{}', 'x')", name, v,
						T0.atOffset(ZoneOffset.UTC), value);
				if (v > versions - Overview.SPARKLINE_VERSIONS && value != null) {
					values.add(value);
				}
			}
			Integer champion = null;
			Double championValue = null;
			if (versions > 0 && random.nextInt(5) > 0) {
				champion = 1 + random.nextInt(versions);
				this.jdbc
					.update("INSERT INTO model_alias (pipeline, alias, version, updated_at) VALUES (?, 'champion', "
							+ "?, ?)", name, champion, T0.atOffset(ZoneOffset.UTC));
				championValue = this.jdbc.queryForObject(
						"SELECT primary_value FROM model_version WHERE pipeline = ? AND version = ?", Double.class,
						name, champion);
			}
			// drift checks: the latest with data, else the latest
			String driftStatus = null;
			Instant driftAt = null;
			String withData = null;
			Instant withDataAt = null;
			int checks = random.nextInt(4);
			for (int c = 0; c < checks; c++) {
				String status = DRIFT_STATUSES[random.nextInt(DRIFT_STATUSES.length)];
				Instant at = T0.plusSeconds(60L * c + i);
				this.jdbc.update(
						"INSERT INTO drift_report (pipeline, as_of, created_at, trigger_type, status, summary, "
								+ "report) VALUES (?, ?, ?, 'SCHEDULE', ?, 's', '{}')",
						name, LocalDate.of(2026, 1, 1), at.atOffset(ZoneOffset.UTC), status);
				driftStatus = status;
				driftAt = at;
				if (!status.equals("NO_DATA")) {
					withData = status;
					withDataAt = at;
				}
			}
			// schedules: the earliest next fire of the pipeline's triggers (any group)
			Instant nextFire = null;
			int triggers = random.nextInt(3);
			for (int t = 0; t < triggers; t++) {
				String group = (t == 0) ? "retrain" : "drift-check";
				long next = T0.plusSeconds(86_400L + 600L * random.nextInt(50)).toEpochMilli();
				this.jdbc.update("INSERT INTO qrtz_job_details (sched_name, job_name, job_group, job_class_name, "
						+ "is_durable, is_nonconcurrent, is_update_data, requests_recovery) VALUES (?, ?, ?, 'x', "
						+ "TRUE, TRUE, FALSE, FALSE)", this.scheduler.getSchedulerName(), name, group);
				this.jdbc.update("INSERT INTO qrtz_triggers (sched_name, trigger_name, trigger_group, job_name, "
						+ "job_group, next_fire_time, trigger_state, trigger_type, start_time) VALUES (?, ?, ?, ?, ?, ?, "
						+ "'WAITING', 'CRON', 0)", this.scheduler.getSchedulerName(), name, group, name, group, next);
				nextFire = (nextFire == null || next < nextFire.toEpochMilli()) ? Instant.ofEpochMilli(next) : nextFire;
			}
			this.expected.add(new Row(name, description, champion, (champion != null) ? "roc_auc" : null, championValue,
					values, lastId, lastStatus, lastTrigger, lastAt, nextFire,
					(withData != null) ? withData : driftStatus, (withData != null) ? withDataAt : driftAt));
		}
		PipelineCatalog catalog = new PipelineCatalog(configs);
		catalog.reload();
		this.overview = new Overview(catalog, this.jdbc, this.scheduler);
	}

	@AfterAll
	void stop() throws Exception {
		this.scheduler.shutdown();
	}

	@Test
	void everyPageOfEveryOrderShowsTheRowsAsIfEveryPipelineWereLookedUp() {
		assertThat(this.expected.stream().filter(r -> r.lastRunId() == null)).as("pipelines that never ran")
			.isNotEmpty();
		assertThat(this.expected.stream().filter(r -> r.driftStatus() == null)).as("never checked").isNotEmpty();
		assertThat(this.expected.stream().filter(r -> r.champion() == null)).as("without a champion").isNotEmpty();
		for (String sort : new String[] { null, "name", "status", "last-run", "metric", "drift", "unknown" }) {
			List<Row> all = new ArrayList<>(this.expected);
			all.sort(order(sort));
			for (int page = 0; page < 3; page++) {
				Overview.Page shown = this.overview.page(null, sort, page);
				assertThat(shown.total()).isEqualTo(PIPELINES);
				assertThat(shown.pages()).isEqualTo(3);
				assertThat(shown.page()).isEqualTo(page);
				assertThat(shown.rows()).as("sort %s, page %d", sort, page)
					.containsExactlyElementsOf(all.subList(page * Overview.PAGE_SIZE,
							Math.min(PIPELINES, (page + 1) * Overview.PAGE_SIZE)));
			}
		}
	}

	@Test
	void aFilterPagesOnlyTheMatchingPipelinesInTheOrderAsked() {
		List<Row> matching = new ArrayList<>(this.expected.stream()
			.filter(r -> r.description().contains("churn") || r.name().contains("churn"))
			.toList());
		matching.sort(order("drift"));
		Overview.Page shown = this.overview.page(" Churn ", "drift", 0);
		assertThat(shown.total()).isEqualTo(matching.size()).isEqualTo((PIPELINES + 6) / 7);
		assertThat(shown.pages()).isEqualTo(1);
		assertThat(shown.rows()).containsExactlyElementsOf(matching);
		// a page past the end shows the last one
		assertThat(this.overview.page(null, "last-run", 9).rows())
			.containsExactlyElementsOf(this.overview.page(null, "last-run", 2).rows());
	}

	@Test
	void theOrderByLastRunIsNewestFirstAndThoseThatNeverRanLast() {
		List<Row> rows = new ArrayList<>();
		for (int page = 0; page < 3; page++) {
			rows.addAll(this.overview.page(null, "last-run", page).rows());
		}
		assertThat(rows).hasSize(PIPELINES);
		for (int i = 1; i < rows.size(); i++) {
			Row before = rows.get(i - 1);
			Row after = rows.get(i);
			if (after.lastRunAt() == null) {
				continue;
			}
			assertThat(before.lastRunAt()).as("%s before %s", before.name(), after.name()).isNotNull();
			assertThat(before.lastRunAt()).isAfterOrEqualTo(after.lastRunAt());
			if (before.lastRunAt().equals(after.lastRunAt())) {
				assertThat(before.name()).isLessThan(after.name());
			}
		}
		assertThat(rows.get(rows.size() - 1).lastRunAt()).isNull();
	}

	/**
	 * The orders the overview offers, as they read: a missing value after every other,
	 * then by name.
	 */
	static Comparator<Row> order(String sort) {
		Comparator<Row> byName = Comparator.comparing(Row::name);
		if (sort == null) {
			return byName;
		}
		return switch (sort) {
			case "status" -> Comparator.comparing(Row::lastRunStatus, Comparator.nullsLast(Comparator.naturalOrder()))
				.thenComparing(byName);
			case "last-run" ->
				Comparator.comparing(Row::lastRunAt, Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
					.thenComparing(byName);
			case "metric" ->
				Comparator.comparing(Row::metricValue, Comparator.nullsLast(Comparator.<Double>reverseOrder()))
					.thenComparing(byName);
			case "drift" -> Comparator.comparing(Row::driftStatus, Comparator.nullsLast(Comparator.naturalOrder()))
				.thenComparing(byName);
			default -> byName;
		};
	}

}

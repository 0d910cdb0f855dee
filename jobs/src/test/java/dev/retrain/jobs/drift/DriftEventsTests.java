package dev.retrain.jobs.drift;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.runs.RetrainBudgetSpent;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.Trigger;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A drift event is kept only with what it led to, whatever its details' length. */
class DriftEventsTests extends RetrainTestSupport {

	@Autowired
	DriftEvents events;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void anEventWithTheLongestDetailsTheApiTakesStartsARunWhoseCauseIsCutNotLost() {
		sampleData(DATA_DIR, "verbose", 150, 31);
		definePipeline("verbose", yaml("verbose", "verbose", GOOD_MODEL, ""));
		String details = "x".repeat(4095);

		DriftEvent e = this.events
			.submit(new DriftEvents.Submission("verbose", "evidently", "long-1", "critical", details, LAST));

		assertThat(e.outcome()).isEqualTo(DriftEvents.STARTED_RUN);
		assertThat(e.runId()).isNotNull();
		assertThat(e.details()).hasSize(4095);
		RunRecord run = awaitEnd(e.runId());
		assertThat(run.cause()).hasSize(2000).endsWith("…").startsWith("drift event " + e.id() + " from evidently");
		DriftEvent again = this.events
			.submit(new DriftEvents.Submission("verbose", "evidently", "long-1", "critical", details, LAST));
		assertThat(again.duplicate()).isTrue();
		assertThat(again.runId()).isEqualTo(e.runId());
	}

	@Test
	void anEventLeftUndecidedByANodeThatStoppedIsDecidedByItsNextSubmission() {
		sampleData(DATA_DIR, "undecided", 150, 32);
		definePipeline("undecided", yaml("undecided", "undecided", GOOD_MODEL, ""));
		// as a node leaves it when it stops between recording the event and deciding it
		this.jdbc.update(
				"INSERT INTO drift_event (pipeline, source, event_id, severity, as_of, details, received_at, "
						+ "outcome) VALUES ('undecided', 'alertmanager', 'fp@1', 'warning', ?, 'psi', ?, 'RECEIVED')",
				LAST, OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(10));

		DriftEvent e = this.events
			.submit(new DriftEvents.Submission("undecided", "alertmanager", "fp@1", "warning", "psi", LAST));

		assertThat(e.duplicate()).isFalse();
		assertThat(e.outcome()).isEqualTo(DriftEvents.STARTED_RUN);
		assertThat(e.runId()).isNotNull();
		assertThat(awaitEnd(e.runId()).status()).isEqualTo("COMPLETED");
	}

	@Test
	void anEventJustRecordedByAnotherSubmissionIsADuplicate() {
		definePipeline("busy", yaml("busy", "busy", GOOD_MODEL, ""));
		this.jdbc.update(
				"INSERT INTO drift_event (pipeline, source, event_id, severity, details, received_at, "
						+ "outcome) VALUES ('busy', 'alertmanager', 'fp@2', 'warning', 'psi', ?, 'RECEIVED')",
				OffsetDateTime.now(ZoneOffset.UTC));

		DriftEvent e = this.events
			.submit(new DriftEvents.Submission("busy", "alertmanager", "fp@2", "warning", "psi", LAST));

		assertThat(e.duplicate()).isTrue();
		assertThat(e.runId()).isNull();
	}

	@Test
	void anEventMergedIntoARunStillStartingNamesThatRun() throws Exception {
		definePipeline("starting", yaml("starting", "starting", GOOD_MODEL, ""));
		// another node has taken the lock and is starting its run: the run id comes a
		// moment later
		this.jdbc.update("INSERT INTO pipeline_lock (pipeline, token, holder, acquired_at) VALUES ('starting', 't', "
				+ "'other', ?)", OffsetDateTime.now(ZoneOffset.UTC));
		var attached = java.util.concurrent.CompletableFuture.runAsync(
				() -> this.jdbc.update("UPDATE pipeline_lock SET run_id = 424242 WHERE pipeline = 'starting'"),
				java.util.concurrent.CompletableFuture.delayedExecutor(300,
						java.util.concurrent.TimeUnit.MILLISECONDS));
		try {
			DriftEvent e = this.events
				.submit(new DriftEvents.Submission("starting", "alertmanager", "fp@3", "warning", "psi", LAST));

			assertThat(e.outcome()).isEqualTo(DriftEvents.MERGED);
			assertThat(e.runId()).isEqualTo(424242L);
			assertThat(e.reason()).contains("run 424242");
		}
		finally {
			attached.join();
			this.jdbc.update("DELETE FROM pipeline_lock WHERE pipeline = 'starting'");
		}
	}

	@Test
	void aSpentRetrainBudgetSuppressesDriftEventsAndSchedulesButNotAManualLaunch() {
		sampleData(DATA_DIR, "budgeted", 150, 33);
		definePipeline("budgeted", yaml("budgeted", "budgeted", GOOD_MODEL,
				"drift:\n  cooldown-hours: 0\n  budget: {max-retrains: 1, per-days: 30}"));

		DriftEvent first = this.events
			.submit(new DriftEvents.Submission("budgeted", "evidently", "b-1", "critical", "psi", LAST));
		assertThat(first.outcome()).isEqualTo(DriftEvents.STARTED_RUN);
		awaitEnd(first.runId());

		DriftEvent second = this.events
			.submit(new DriftEvents.Submission("budgeted", "evidently", "b-2", "critical", "psi", LAST));
		assertThat(second.outcome()).isEqualTo(DriftEvents.SUPPRESSED_BUDGET);
		assertThat(second.reason())
			.isEqualTo("the retrain budget is spent: 1 automatic retrains in the last 30 days (drift.budget: at most 1 "
					+ "per 30 days); a manual launch is not limited");
		assertThatThrownBy(() -> this.launcher
			.launch(new RunLauncher.Request("budgeted", LAST, "cron", null, Trigger.SCHEDULE, "cron")))
			.isInstanceOf(RetrainBudgetSpent.class)
			.hasMessageContaining("budget is spent");
		RunRecord manual = awaitEnd(launch("budgeted", LAST, "by-hand", null).runId());
		assertThat(manual.status()).isEqualTo("COMPLETED");
	}

}

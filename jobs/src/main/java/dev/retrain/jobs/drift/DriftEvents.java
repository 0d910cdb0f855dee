package dev.retrain.jobs.drift;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.jobs.runs.RunAlreadyActive;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.Trigger;

/**
 * Turns drift events into at most one retrain: every event is recorded once (idempotent
 * by source and event id); one that arrives while a retrain runs is merged into it, one
 * within the pipeline's cooldown after the last retrain is suppressed, and otherwise it
 * launches a retrain with trigger {@code drift}. The one-run-per-pipeline lock settles
 * races between events, across nodes.
 */
public class DriftEvents {

	private static final Logger log = LoggerFactory.getLogger(DriftEvents.class);

	public static final String STARTED_RUN = "STARTED_RUN";

	public static final String MERGED = "MERGED";

	public static final String SUPPRESSED = "SUPPRESSED_COOLDOWN";

	/** Not started: the pipeline's retrain budget is spent ({@code drift.budget}). */
	public static final String SUPPRESSED_BUDGET = "SUPPRESSED_BUDGET";

	/** An event recorded and not decided yet. */
	static final String RECEIVED = "RECEIVED";

	/**
	 * How long an undecided event may be another submission's to decide (a node deciding
	 * it stopped).
	 */
	static final Duration UNDECIDED = Duration.ofMinutes(5);

	private final JdbcTemplate jdbc;

	private final PipelineCatalog catalog;

	private final RunLauncher launcher;

	private final PipelineLocks locks;

	private final Clock clock;

	DriftEvents(JdbcTemplate jdbc, PipelineCatalog catalog, RunLauncher launcher, PipelineLocks locks, Clock clock) {
		this.jdbc = jdbc;
		this.catalog = catalog;
		this.launcher = launcher;
		this.locks = locks;
		this.clock = clock;
	}

	/**
	 * An event to record; {@code asOf} (optional) is the date a started retrain runs for.
	 */
	public record Submission(String pipeline, String source, String eventId, String severity, String details,
			LocalDate asOf) {
	}

	/**
	 * Records the event and decides what it leads to. An event is kept only with its
	 * outcome: when deciding fails, the record is removed again so that the sender's
	 * retry is decided anew, and a record a stopped node left undecided ({@code RECEIVED}
	 * for longer than {@link #UNDECIDED}) is decided anew by the next submission of the
	 * event.
	 */
	public DriftEvent submit(Submission s) {
		PipelineDefinition def = this.catalog.get(s.pipeline());
		PipelineData.plausible("asOf", s.asOf());
		Optional<DriftEvent> seen = find(s.source(), s.eventId());
		if (seen.isPresent() && RECEIVED.equals(seen.get().outcome())
				&& seen.get().receivedAt().plus(UNDECIDED).isBefore(this.clock.instant())) {
			this.jdbc.update("DELETE FROM drift_event WHERE id = ? AND outcome = ?", seen.get().id(), RECEIVED);
			seen = Optional.empty();
		}
		if (seen.isPresent()) {
			return duplicate(seen.get());
		}
		try {
			this.jdbc.update(
					"INSERT INTO drift_event (pipeline, source, event_id, severity, as_of, details, received_at, "
							+ "outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					s.pipeline(), s.source(), s.eventId(), s.severity(), s.asOf(), s.details(), now(), RECEIVED);
		}
		catch (DuplicateKeyException ex) {
			return duplicate(find(s.source(), s.eventId()).orElseThrow());
		}
		long id = find(s.source(), s.eventId()).orElseThrow().id();
		try {
			return decide(s, def, id);
		}
		catch (RuntimeException ex) {
			this.jdbc.update("DELETE FROM drift_event WHERE id = ? AND outcome = ?", id, RECEIVED);
			throw ex;
		}
	}

	private DriftEvent decide(Submission s, PipelineDefinition def, long id) {
		String outcome;
		Long runId;
		String reason;
		Long running = this.locks.runningRun(s.pipeline());
		Optional<LastRetrain> last = lastRetrain(s.pipeline());
		Duration cooldown = Duration.ofMinutes(Math.round(def.drift().cooldownHours() * 60));
		if (this.locks.isLocked(s.pipeline())) {
			outcome = MERGED;
			runId = (running != null) ? running : startingRun(s.pipeline());
			running = runId;
			reason = "a retrain is already running" + ((running != null) ? " (run " + running + ")" : "");
		}
		else if (last.isPresent() && last.get().createdAt().plus(cooldown).isAfter(this.clock.instant())) {
			outcome = SUPPRESSED;
			runId = last.get().runId();
			reason = "within the " + def.drift().cooldownHours() + " h cooldown after run " + last.get().runId();
		}
		else if (this.launcher.budgetSpent(def).isPresent()) {
			outcome = SUPPRESSED_BUDGET;
			runId = last.map(LastRetrain::runId).orElse(null);
			reason = this.launcher.budgetSpent(def).get();
		}
		else {
			try {
				LaunchedRun run = this.launcher.launch(new RunLauncher.Request(s.pipeline(), s.asOf(), "drift-" + id,
						null, Trigger.DRIFT, "drift event " + id + " from " + s.source() + " (" + s.eventId() + "): "
								+ ((s.details() != null) ? s.details() : s.severity())));
				outcome = STARTED_RUN;
				runId = run.runId();
				reason = "started retrain run " + run.runId();
			}
			catch (RunAlreadyActive ex) {
				outcome = MERGED;
				runId = ex.runId();
				reason = "a retrain started meanwhile" + ((ex.runId() != null) ? " (run " + ex.runId() + ")" : "");
			}
		}
		this.jdbc.update("UPDATE drift_event SET outcome = ?, run_id = ?, reason = ? WHERE id = ?", outcome, runId,
				reason, id);
		log.info("drift event {} for {} from {}: {}", id, s.pipeline(), s.source(), reason);
		return find(s.source(), s.eventId()).orElseThrow();
	}

	/**
	 * A lock is taken a moment before its run has an id: wait that moment, up to two
	 * seconds.
	 */
	private static final RetryTemplate STARTING = new RetryTemplate(
			RetryPolicy.builder().maxRetries(40).delay(Duration.ofMillis(50)).includes(NotAttachedYet.class).build());

	/**
	 * The run a held lock is for, once it has one; null when the lock was released
	 * meanwhile or never gets one.
	 */
	private Long startingRun(String pipeline) {
		try {
			return STARTING.execute(() -> {
				Long id = this.locks.runningRun(pipeline);
				if (id == null && this.locks.isLocked(pipeline)) {
					throw new NotAttachedYet();
				}
				return id;
			});
		}
		catch (RetryException ex) {
			return null;
		}
	}

	/** The lock is held and its run has no id yet. */
	private static final class NotAttachedYet extends RuntimeException {

		NotAttachedYet() {
			super(null, null, false, false);
		}

	}

	/** The last retrain of a pipeline, whatever its trigger. */
	record LastRetrain(long runId, Instant createdAt) {
	}

	private Optional<LastRetrain> lastRetrain(String pipeline) {
		return this.jdbc.query(
				"SELECT run_id, created_at FROM retrain_run WHERE pipeline = ? ORDER BY created_at DESC " + "LIMIT 1",
				(rs, i) -> new LastRetrain(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant()), pipeline)
			.stream()
			.findFirst();
	}

	public Optional<DriftEvent> find(String source, String eventId) {
		return this.jdbc
			.query("SELECT * FROM drift_event WHERE source = ? AND event_id = ?", DriftEvents::row, source, eventId)
			.stream()
			.findFirst();
	}

	public List<DriftEvent> recent(String pipeline, int limit) {
		return this.jdbc.query("SELECT * FROM drift_event WHERE pipeline = ? ORDER BY id DESC LIMIT ?",
				DriftEvents::row, pipeline, limit);
	}

	public long count(String pipeline) {
		Long n = this.jdbc.queryForObject("SELECT COUNT(*) FROM drift_event WHERE pipeline = ?", Long.class, pipeline);
		return (n != null) ? n : 0;
	}

	private static DriftEvent duplicate(DriftEvent e) {
		return new DriftEvent(e.id(), e.pipeline(), e.source(), e.eventId(), e.severity(), e.asOf(), e.details(),
				e.receivedAt(), e.outcome(), e.runId(), e.reason(), true);
	}

	private static DriftEvent row(ResultSet rs, int i) throws SQLException {
		return new DriftEvent(rs.getLong("id"), rs.getString("pipeline"), rs.getString("source"),
				rs.getString("event_id"), rs.getString("severity"), rs.getObject("as_of", LocalDate.class),
				rs.getString("details"), rs.getObject("received_at", OffsetDateTime.class).toInstant(),
				rs.getString("outcome"), rs.getObject("run_id", Long.class), rs.getString("reason"), false);
	}

	private OffsetDateTime now() {
		return this.clock.instant().atOffset(ZoneOffset.UTC);
	}

}

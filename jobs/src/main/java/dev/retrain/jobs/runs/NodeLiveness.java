package dev.retrain.jobs.runs;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Heartbeats, so that a node that stops for good does not hold its pipelines forever.
 * Every node writes its heartbeat every {@code interval}; a node whose last heartbeat is
 * older than {@code timeout} is declared stopped by the first other node that notices (a
 * conditional update, so once), which then marks the runs it held FAILED, releases their
 * locks (see {@link StartupRecovery#recoverRun}) and publishes {@link NodeStopped} for
 * the rest: backtests, and {@link OrphanedRuns}, which restarts those runs here. A node
 * that comes back after being declared stopped logs it and registers again; its runs were
 * already failed, and Spring Batch's optimistic locking refuses the stale execution's
 * next update.
 */
public class NodeLiveness {

	private static final Logger log = LoggerFactory.getLogger(NodeLiveness.class);

	private final JdbcTemplate jdbc;

	private final PipelineLocks locks;

	private final StartupRecovery recovery;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final Duration interval;

	private final Duration timeout;

	private ScheduledExecutorService executor;

	NodeLiveness(JdbcTemplate jdbc, PipelineLocks locks, StartupRecovery recovery, ApplicationEventPublisher events,
			Clock clock, Duration interval, Duration timeout) {
		this.jdbc = jdbc;
		this.locks = locks;
		this.recovery = recovery;
		this.events = events;
		this.clock = clock;
		this.interval = interval;
		this.timeout = timeout;
	}

	public void start() {
		beat();
		this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "heartbeat");
			t.setDaemon(true);
			return t;
		});
		long every = this.interval.toMillis();
		this.executor.scheduleWithFixedDelay(() -> {
			try {
				beat();
				reap();
			}
			catch (RuntimeException ex) {
				log.warn("heartbeat: {}", ex.toString());
			}
		}, every, every, TimeUnit.MILLISECONDS);
	}

	public void stop() {
		if (this.executor != null) {
			this.executor.shutdownNow();
		}
	}

	/**
	 * Stops heartbeating at once and dates this node's heartbeat to the epoch, so that
	 * the next other node to beat declares it stopped and resumes what it held, without
	 * waiting for the timeout. For a node that is shutting down ({@link NodeShutdown}).
	 */
	public void leave() {
		stop();
		try {
			this.jdbc.update("UPDATE node_heartbeat SET beat_at = ? WHERE node = ? AND declared_dead_at IS NULL",
					OffsetDateTime.parse("1970-01-01T00:00:00Z"), this.locks.nodeId());
		}
		catch (RuntimeException ex) {
			log.warn("could not mark this node as leaving ({}): other nodes declare it stopped after the timeout",
					ex.toString());
		}
	}

	/** Writes this node's heartbeat. */
	public void beat() {
		OffsetDateTime now = now();
		String node = this.locks.nodeId();
		int alive = this.jdbc
			.update("UPDATE node_heartbeat SET beat_at = ? WHERE node = ? AND declared_dead_at IS NULL", now, node);
		if (alive == 1) {
			return;
		}
		List<Map<String, Object>> row = this.jdbc
			.queryForList("SELECT declared_dead_at, declared_dead_by FROM node_heartbeat WHERE node = ?", node);
		if (!row.isEmpty()) {
			log.error(
					"this node ({}) was declared stopped by node {} at {} after missing its heartbeats for {}: the runs "
							+ "it held were marked FAILED; registering again",
					node, row.get(0).get("declared_dead_by"), row.get(0).get("declared_dead_at"), this.timeout);
			this.jdbc.update("UPDATE node_heartbeat SET started_at = ?, beat_at = ?, declared_dead_at = NULL, "
					+ "declared_dead_by = NULL WHERE node = ?", now, now, node);
			return;
		}
		this.jdbc.update("INSERT INTO node_heartbeat (node, started_at, beat_at) VALUES (?, ?, ?)", node, now, now);
	}

	/**
	 * Declares stopped every other node whose heartbeat is older than the timeout, and
	 * recovers what it held. Returns the nodes this call declared stopped.
	 */
	public List<String> reap() {
		OffsetDateTime now = now();
		OffsetDateTime limit = now.minus(this.timeout);
		String me = this.locks.nodeId();
		List<Map<String, Object>> stale = this.jdbc.queryForList(
				"SELECT node, beat_at FROM node_heartbeat WHERE node <> ? AND declared_dead_at IS NULL AND beat_at < ?",
				me, limit);
		List<String> declared = new ArrayList<>();
		for (Map<String, Object> row : stale) {
			String node = (String) row.get("node");
			int won = this.jdbc
				.update("UPDATE node_heartbeat SET declared_dead_at = ?, declared_dead_by = ? WHERE node = ? "
						+ "AND declared_dead_at IS NULL AND beat_at < ?", now, me, node, limit);
			if (won != 1) {
				continue;
			}
			Instant lastBeat = instant(row.get("beat_at"));
			log.warn("node {} has not sent a heartbeat since {}: declared stopped; recovering its runs", node,
					lastBeat);
			String reason = "interrupted: node " + node + " stopped (no heartbeat since " + lastBeat
					+ ", declared by node " + me + "); it resumes from its last checkpoint as a restart";
			List<Long> failed = new ArrayList<>();
			for (Map<String, Object> lock : this.locks.heldBy(node)) {
				Long run = this.recovery.recoverRun(lock, reason);
				if (run != null) {
					failed.add(run);
				}
			}
			this.events.publishEvent(new NodeStopped(node, lastBeat, me, failed));
			declared.add(node);
		}
		return declared;
	}

	private OffsetDateTime now() {
		return this.clock.instant().atOffset(ZoneOffset.UTC);
	}

	/**
	 * H2 gives an OffsetDateTime, PostgreSQL's driver a Timestamp of the same instant
	 * (parsing its text failed on PostgreSQL, after the stopped node had been declared,
	 * so its runs were never recovered).
	 */
	static Instant instant(Object value) {
		if (value instanceof OffsetDateTime o) {
			return o.toInstant();
		}
		if (value instanceof Timestamp t) {
			return t.toInstant();
		}
		return OffsetDateTime.parse(value.toString().replace(' ', 'T')).toInstant();
	}

}

package dev.retrain.jobs.runs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * One run per pipeline at a time, enforced by a row in {@code pipeline_lock} (primary
 * key: pipeline), so that it holds across nodes sharing the database. A lock whose run
 * has finished, or that was taken for a launch that never started, is stale and may be
 * taken over.
 */
public class PipelineLocks {

	private static final Logger log = LoggerFactory.getLogger(PipelineLocks.class);

	private static final Duration STARTING_GRACE = Duration.ofMinutes(5);

	private final JdbcTemplate jdbc;

	private final JobRepository jobRepository;

	private final String nodeId;

	private final Clock clock;

	PipelineLocks(JdbcTemplate jdbc, JobRepository jobRepository, String nodeId, Clock clock) {
		this.jdbc = jdbc;
		this.jobRepository = jobRepository;
		this.nodeId = nodeId;
		this.clock = clock;
	}

	public String nodeId() {
		return this.nodeId;
	}

	/**
	 * Takes the pipeline's lock for a launch about to start; returns the token that
	 * releases it.
	 */
	public String acquire(String pipeline) {
		String token = UUID.randomUUID().toString();
		for (int attempt = 0; attempt < 2; attempt++) {
			try {
				this.jdbc.update("INSERT INTO pipeline_lock (pipeline, token, holder, acquired_at) VALUES (?, ?, ?, ?)",
						pipeline, token, this.nodeId, now());
				return token;
			}
			catch (DuplicateKeyException ex) {
				List<Map<String, Object>> rows = this.jdbc
					.queryForList("SELECT token, run_id, acquired_at FROM pipeline_lock WHERE pipeline = ?", pipeline);
				if (rows.isEmpty()) {
					continue;
				}
				Map<String, Object> row = rows.get(0);
				Long runId = (row.get("run_id") != null) ? ((Number) row.get("run_id")).longValue() : null;
				String held = (String) row.get("token");
				if (isStale(runId, row.get("acquired_at"))) {
					log.warn("taking over stale lock of pipeline {} (run {})", pipeline, runId);
					this.jdbc.update("DELETE FROM pipeline_lock WHERE pipeline = ? AND token = ?", pipeline, held);
					continue;
				}
				throw new RunAlreadyActive(pipeline, runId, null);
			}
		}
		throw new RunAlreadyActive(pipeline, null, "lost a race for the lock");
	}

	private boolean isStale(Long runId, Object acquiredAt) {
		if (runId != null) {
			JobExecution execution = this.jobRepository.getJobExecution(runId);
			return execution == null || !execution.isRunning();
		}
		// (reading the time as text failed on PostgreSQL: a 500 for a launch racing
		// another)
		Instant at = NodeLiveness.instant(acquiredAt);
		return at.plus(STARTING_GRACE).isBefore(this.clock.instant());
	}

	/**
	 * Called by the run itself as it starts, so that others can name it and see whether
	 * it still runs: the lock taken for a launch that has not started yet becomes this
	 * run's.
	 */
	public void attach(String pipeline, long runId) {
		this.jdbc.update("UPDATE pipeline_lock SET run_id = ? WHERE pipeline = ? AND run_id IS NULL", runId, pipeline);
	}

	public void releaseRun(String pipeline, long runId) {
		this.jdbc.update("DELETE FROM pipeline_lock WHERE pipeline = ? AND run_id = ?", pipeline, runId);
	}

	public void release(String pipeline, String token) {
		this.jdbc.update("DELETE FROM pipeline_lock WHERE pipeline = ? AND token = ?", pipeline, token);
	}

	public boolean isLocked(String pipeline) {
		Integer n = this.jdbc.queryForObject("SELECT COUNT(*) FROM pipeline_lock WHERE pipeline = ?", Integer.class,
				pipeline);
		return n != null && n > 0;
	}

	/** The run holding the pipeline's lock, if it has one yet. */
	public Long runningRun(String pipeline) {
		return this.jdbc.queryForList("SELECT run_id FROM pipeline_lock WHERE pipeline = ?", Long.class, pipeline)
			.stream()
			.filter(Objects::nonNull)
			.findFirst()
			.orElse(null);
	}

	/**
	 * Locks this node held when it stopped: their runs were cut off and must be
	 * recovered.
	 */
	public List<Map<String, Object>> heldByThisNode() {
		return heldBy(this.nodeId);
	}

	/** The locks a node holds (pipeline, token, run_id). */
	public List<Map<String, Object>> heldBy(String node) {
		return this.jdbc.queryForList("SELECT pipeline, token, run_id FROM pipeline_lock WHERE holder = ?", node);
	}

	/**
	 * Releases a lock if it is still the one given; returns whether this call released
	 * it.
	 */
	public boolean releaseIfHeld(String pipeline, String token) {
		return this.jdbc.update("DELETE FROM pipeline_lock WHERE pipeline = ? AND token = ?", pipeline, token) == 1;
	}

	private OffsetDateTime now() {
		return this.clock.instant().atOffset(ZoneOffset.UTC);
	}

}

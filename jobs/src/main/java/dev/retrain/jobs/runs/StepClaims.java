package dev.retrain.jobs.runs;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.springframework.batch.core.step.StepExecution;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Fencing tokens for steps that run on workers. A worker that takes a step request claims
 * the step: the step's token goes up by one and is written, with the worker's name, into
 * the step's execution context ({@link #TOKEN}). Before every checkpoint push and before
 * a step's output is pushed, the step {@link #check checks} that its token is still the
 * newest: a worker whose request was delivered again to another worker (a closed
 * connection, RabbitMQ's consumer timeout) finds the newer claim and stops without
 * writing, while the newer one resumes from the last pushed checkpoint. The job
 * repository is fenced already: Spring Batch's optimistic locking refuses the stale
 * worker's update of the step execution. A step run by the node itself carries no token
 * and is not checked.
 */
public class StepClaims {

	/** The key of the token in the step execution's context. */
	public static final String TOKEN = "retrain.claim.token";

	/** The key of the claiming worker in the step execution's context. */
	public static final String WORKER = "retrain.claim.worker";

	private final JdbcTemplate jdbc;

	private final Clock clock;

	StepClaims(JdbcTemplate jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/**
	 * Claims {@code step} for {@code worker}: a token higher than every earlier claim of
	 * the step, also put into the step's execution context.
	 */
	public long claim(StepExecution step, String worker) {
		long id = step.getId();
		Timestamp now = Timestamp.from(this.clock.instant());
		long token;
		while (true) {
			int raised = this.jdbc.update(
					"UPDATE step_claim SET token = token + 1, worker = ?, claimed_at = ? WHERE step_execution_id = ?",
					worker, now, id);
			if (raised == 0) {
				try {
					this.jdbc.update(
							"INSERT INTO step_claim (step_execution_id, token, worker, claimed_at) VALUES (?, 1, ?, ?)",
							id, worker, now);
				}
				catch (DuplicateKeyException ex) {
					// another worker claimed it first: raise its token instead
					continue;
				}
			}
			token = this.jdbc.queryForObject("SELECT token FROM step_claim WHERE step_execution_id = ?", Long.class,
					id);
			break;
		}
		step.getExecutionContext().putLong(TOKEN, token);
		step.getExecutionContext().putString(WORKER, worker);
		return token;
	}

	/**
	 * Why {@code step} may no longer write, if it may not: another worker claimed it
	 * after this one. Empty for a step this worker still holds, and for a step without a
	 * claim (run by the node itself).
	 */
	public Optional<String> takenOver(StepExecution step) {
		if (!step.getExecutionContext().containsKey(TOKEN)) {
			return Optional.empty();
		}
		long mine = step.getExecutionContext().getLong(TOKEN);
		List<Claim> now = this.jdbc.query("SELECT token, worker FROM step_claim WHERE step_execution_id = ?",
				(rs, i) -> new Claim(rs.getLong(1), rs.getString(2)), step.getId());
		if (now.isEmpty() || now.get(0).token() == mine) {
			return Optional.empty();
		}
		Claim newer = now.get(0);
		return Optional.of("step " + step.getStepName() + " of run " + step.getJobExecutionId()
				+ " was taken over by worker " + newer.worker() + " (claim " + newer.token() + "); this worker ("
				+ step.getExecutionContext().getString(WORKER, "?") + ", claim " + mine + ") stopped without writing");
	}

	/** The newest claim of a step: its token and worker. */
	public Optional<Claim> newest(long stepExecutionId) {
		return this.jdbc
			.query("SELECT token, worker FROM step_claim WHERE step_execution_id = ?",
					(rs, i) -> new Claim(rs.getLong(1), rs.getString(2)), stepExecutionId)
			.stream()
			.findFirst();
	}

	/**
	 * Deletes the claims of steps whose run ended before {@code before}: nothing can
	 * check them any more (a stale worker of an ended run stops on the run's end, and a
	 * resumed run is another execution with steps of its own). Returns how many went.
	 */
	public int forgetEnded(java.time.Instant before) {
		return this.jdbc.update("DELETE FROM step_claim WHERE step_execution_id IN (SELECT s.STEP_EXECUTION_ID FROM "
				+ "BATCH_STEP_EXECUTION s JOIN BATCH_JOB_EXECUTION j ON j.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID "
				+ "WHERE j.END_TIME IS NOT NULL AND j.END_TIME < ?)", Timestamp.from(before));
	}

	/** A claim: its token and the worker that holds it. */
	public record Claim(long token, String worker) {
	}

}

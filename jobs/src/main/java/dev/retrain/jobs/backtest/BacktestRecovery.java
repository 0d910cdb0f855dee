package dev.retrain.jobs.backtest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.runs.NodeStopped;

/**
 * Backtests left running by a node that stopped: at start-up, this node's; when another
 * node is declared stopped ({@link NodeStopped}), that node's. Each is marked FAILED by
 * Spring Batch's {@code JobOperator.recover}, with the reason as its exit description, so
 * that it can be restarted and go on with the policies not yet replayed. A backtest's
 * node is the one that last started it (table {@code backtest}).
 */
public class BacktestRecovery {

	private static final Logger log = LoggerFactory.getLogger(BacktestRecovery.class);

	private final JobOperator operator;

	private final JobRepository repository;

	private final JdbcTemplate jdbc;

	private final String node;

	BacktestRecovery(JobOperator operator, JobRepository repository, JdbcTemplate jdbc, String node) {
		this.operator = operator;
		this.repository = repository;
		this.jdbc = jdbc;
		this.node = node;
	}

	/**
	 * Fails the backtests this node left running when it stopped (none runs yet as it
	 * starts); returns how many.
	 */
	public int recover() {
		return recover(this.node, "interrupted: node " + this.node
				+ " stopped while the backtest was running; restart it to replay the policies not yet done");
	}

	/** Fails the backtests a node declared stopped left running. */
	@EventListener
	public void on(NodeStopped e) {
		recover(e.node(), "interrupted: node " + e.node() + " stopped (no heartbeat since " + e.lastBeat()
				+ ", declared by node " + e.declaredBy() + "); restart it to replay the policies not yet done");
	}

	int recover(String stopped, String reason) {
		int recovered = 0;
		for (JobExecution running : this.repository.findRunningJobExecutions(BacktestJobConfiguration.JOB_NAME)) {
			Long id = running.getJobParameters().getLong(BacktestJobConfiguration.ID);
			if (id == null || !this.jdbc.queryForList("SELECT node FROM backtest WHERE id = ?", String.class, id)
				.contains(stopped)) {
				continue;
			}
			try {
				JobExecution execution = this.repository.getJobExecution(running.getId());
				ExitStatus failed = ExitStatus.FAILED.addExitDescription(reason);
				execution.setExitStatus(failed);
				for (StepExecution step : execution.getStepExecutions()) {
					if (step.getStatus().isRunning()) {
						step.setExitStatus(failed);
					}
				}
				this.operator.recover(execution);
				log.warn("backtest {} (job execution {}) marked FAILED: {}", id, execution.getId(), reason);
				recovered++;
			}
			catch (RuntimeException ex) {
				// one that cannot be recovered (it ended meanwhile, or another node
				// recovered it) must not stop the rest
				log.warn("backtest {} (job execution {}) not recovered: {}", id, running.getId(), ex.toString());
			}
		}
		return recovered;
	}

}

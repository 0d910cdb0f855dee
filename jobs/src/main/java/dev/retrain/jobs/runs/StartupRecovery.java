package dev.retrain.jobs.runs;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;

import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.models.store.ModelStore;

/**
 * At start-up: runs this node was executing when it stopped are marked failed (so they
 * can be restarted and resume from their checkpoint) and their locks released; then, for
 * every pipeline with no run in progress, store directories that the registry does not
 * know (staging leftovers, a version whose registry row never committed) are removed.
 */
public class StartupRecovery {

	private static final Logger log = LoggerFactory.getLogger(StartupRecovery.class);

	private final PipelineLocks locks;

	private final JobRepository repository;

	private final JobOperator operator;

	private final RunRecords runs;

	private final ModelRegistry registry;

	private final ModelStore store;

	StartupRecovery(PipelineLocks locks, JobRepository repository, JobOperator operator, RunRecords runs,
			ModelRegistry registry, ModelStore store) {
		this.locks = locks;
		this.repository = repository;
		this.operator = operator;
		this.runs = runs;
		this.registry = registry;
		this.store = store;
	}

	/**
	 * Releases a lock (pipeline, token, run_id) whose holder stopped and, if this call
	 * released it and its run was still marked running, marks the run FAILED with
	 * {@code reason} so that it can be restarted; returns that run's id, or null when
	 * this call failed no run.
	 */
	public Long recoverRun(Map<String, Object> lock, String reason) {
		String pipeline = (String) lock.get("pipeline");
		if (!this.locks.releaseIfHeld(pipeline, (String) lock.get("token"))) {
			return null;
		}
		Object runId = lock.get("run_id");
		if (runId == null) {
			return null;
		}
		long id = ((Number) runId).longValue();
		JobExecution execution = this.repository.getJobExecution(id);
		if (execution != null && execution.isRunning()) {
			this.operator.recover(execution);
			this.runs.finished(id, "FAILED", reason);
			log.warn("run {} of pipeline {} marked FAILED: {}", id, pipeline, reason);
			return id;
		}
		boolean handedOver = this.runs.find(id)
			.map(r -> r.failureReason() != null && r.failureReason().startsWith(HANDED_OVER))
			.orElse(false);
		// a run its node stopped as it shut down, keeping its lock for the next node
		return handedOver ? id : null;
	}

	/** Runs this node handed over at its last shutdown and found again at start. */
	List<Long> handedOverAtStart() {
		return List.copyOf(this.handedOverAtStart);
	}

	/** How the record of a run that its node stopped as it shut down begins. */
	public static final String HANDED_OVER = "handed over";

	/**
	 * Runs this node handed over as it shut down, found at its next start with their
	 * locks still held (no other node took them: a single node, restarted): resumed once
	 * the node is ready ({@link OrphanedRuns}).
	 */
	private final List<Long> handedOverAtStart = new CopyOnWriteArrayList<>();

	public void recover() {
		for (Map<String, Object> lock : this.locks.heldByThisNode()) {
			Long run = recoverRun(lock, "interrupted: node " + this.locks.nodeId()
					+ " stopped while the run was in progress; restart it to resume from its last checkpoint");
			if (run != null && this.runs.find(run)
				.map(r -> r.failureReason() != null && r.failureReason().startsWith(HANDED_OVER))
				.orElse(false)) {
				this.handedOverAtStart.add(run);
			}
		}
		try {
			for (String pipeline : this.store.pipelines()) {
				if (!this.locks.isLocked(pipeline)) {
					this.store.cleanup(pipeline, this.registry.registeredVersions(pipeline))
						.forEach(p -> log.warn("removed incomplete or unregistered store directory {}", p));
				}
			}
		}
		catch (RuntimeException ex) {
			// object storage down as the node starts: start anyway (readiness reports the
			// store), and leave the clean-up, which only tidies, to the next start
			log.warn("the model store {} cannot be read at start ({}): its clean-up is left to the next start",
					this.store.uri(), ex.getMessage());
		}
	}

}

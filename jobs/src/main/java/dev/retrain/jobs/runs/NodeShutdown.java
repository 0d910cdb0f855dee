package dev.retrain.jobs.runs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * A node asked to stop (SIGTERM: a rolling update, a drain) hands its runs over instead
 * of failing them. As the context starts closing, before anything in it stops: it takes
 * no more launches, asks each of its runs to stop (training stops after its current
 * epoch, with its checkpoint), waits for them up to
 * {@code retrain.shutdown.handover-wait}, keeps their pipeline locks (the run records say
 * "handed over"), and then leaves: its heartbeat stops at once and is dated so that the
 * next node to beat declares it stopped and resumes the runs ({@link OrphanedRuns})
 * without waiting for the node timeout. A run that did not stop within the wait is
 * resumed the same way, as after a death.
 */
public class NodeShutdown implements ApplicationListener<ContextClosedEvent> {

	private static final Logger log = LoggerFactory.getLogger(NodeShutdown.class);

	private final PipelineLocks locks;

	private final JobRepository repository;

	private final RunRecords runs;

	private final NodeLiveness liveness;

	private final Duration wait;

	private final AtomicBoolean leaving = new AtomicBoolean();

	NodeShutdown(PipelineLocks locks, JobRepository repository, RunRecords runs, NodeLiveness liveness, Duration wait) {
		this.locks = locks;
		this.repository = repository;
		this.runs = runs;
		this.liveness = liveness;
		this.wait = wait;
	}

	/**
	 * Whether this node is shutting down: it launches nothing and hands its runs over.
	 */
	public boolean leaving() {
		return this.leaving.get();
	}

	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		if (!this.leaving.compareAndSet(false, true)) {
			return;
		}
		long start = System.nanoTime();
		List<Long> mine = new ArrayList<>();
		try {
			for (Map<String, Object> lock : this.locks.heldByThisNode()) {
				Object run = lock.get("run_id");
				if (run != null) {
					long id = ((Number) run).longValue();
					if (StopRequest.send(this.repository, id)) {
						mine.add(id);
					}
				}
			}
			if (!mine.isEmpty()) {
				log.warn("shutting down: handing over runs {} (each stops after its current epoch, for at most {})",
						mine, this.wait);
			}
			long deadline = start + this.wait.toNanos();
			while (!mine.isEmpty() && System.nanoTime() < deadline) {
				mine.removeIf(id -> this.runs.find(id).map(r -> r.endedAt() != null).orElse(true));
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
			}
			if (!mine.isEmpty()) {
				log.warn("shutting down: runs {} did not stop within {}; another node resumes them as after a death",
						mine, this.wait);
			}
		}
		catch (RuntimeException ex) {
			log.warn("shutting down: handing over runs failed ({}); another node resumes them as after a death",
					ex.toString());
		}
		finally {
			this.liveness.leave();
			log.info("left the cluster after {} ms", Duration.ofNanos(System.nanoTime() - start).toMillis());
		}
	}

}

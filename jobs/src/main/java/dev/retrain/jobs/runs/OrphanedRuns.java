package dev.retrain.jobs.runs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * The runs of a node declared stopped ({@link NodeStopped}) go on here: each is restarted
 * as a person's restart would (Spring Batch restarts the job instance from the step that
 * did not complete; training resumes from its newest checkpoint in the workspace), with
 * the declaring node as the actor, so the audit log says who did it and why. Off with
 * {@code retrain.resume-runs-of-stopped-nodes=false}: the runs then stay FAILED for a
 * person to restart.
 */
class OrphanedRuns {

	private static final Logger log = LoggerFactory.getLogger(OrphanedRuns.class);

	private final RunLauncher launcher;

	private final StartupRecovery recovery;

	private final boolean enabled;

	OrphanedRuns(RunLauncher launcher, StartupRecovery recovery, boolean enabled) {
		this.launcher = launcher;
		this.recovery = recovery;
		this.enabled = enabled;
	}

	/**
	 * Runs this node handed over as it shut down and that no other node took (it was
	 * alone, and restarted): resumed here once the node is ready.
	 */
	@EventListener(ApplicationReadyEvent.class)
	public void atStart() {
		if (!this.enabled) {
			return;
		}
		for (long runId : this.recovery.handedOverAtStart()) {
			try {
				LaunchedRun resumed = this.launcher.restart(runId,
						"this node (automatic: handed over at its " + "last shutdown)");
				log.warn("run {}, handed over at this node's last shutdown, resumes as run {}", runId, resumed.runId());
			}
			catch (RuntimeException ex) {
				log.error("run {}, handed over at this node's last shutdown, could not be resumed: {}; restart it "
						+ "by hand", runId, ex.getMessage());
			}
		}
	}

	@EventListener
	public void on(NodeStopped e) {
		if (!this.enabled) {
			return;
		}
		for (long runId : e.failedRuns()) {
			try {
				LaunchedRun resumed = this.launcher.restart(runId,
						"node " + e.declaredBy() + " (automatic: node " + e.node() + " stopped)");
				log.warn("run {} of node {} (declared stopped) resumes here as run {}", runId, e.node(),
						resumed.runId());
			}
			catch (RuntimeException ex) {
				log.error("run {} of node {} (declared stopped) could not be resumed here: {}; restart it by hand",
						runId, e.node(), ex.getMessage());
			}
		}
	}

}

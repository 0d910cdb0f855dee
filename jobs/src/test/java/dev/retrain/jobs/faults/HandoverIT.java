package dev.retrain.jobs.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.faults.FaultInjectionIT.Node;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling update: the node running a run gets SIGTERM mid-training. It stops the run
 * after the current epoch, keeps its lock, leaves at once (no waiting for the node
 * timeout), and exits well within Kubernetes' 30 s grace period; the other node resumes
 * the run from its checkpoint and it completes with one version. Real nodes on
 * PostgreSQL, the default node timeout (30 s) on purpose: the hand-over must not wait for
 * it. A single node restarted after SIGTERM resumes the run itself.
 */
class HandoverIT {

	/** Long enough to be stopped mid-training, a few seconds in all. */
	static final String LONG_MODEL = PipelineFixtures.GOOD_MODEL.replace("epochs: 6", "epochs: 1500");

	@TempDir
	Path dir;

	@Test
	void aNodeStoppedWithSigtermHandsItsRunOverToTheOther() throws Exception {
		NodeRuns.onNewSchema("retrain_handover", database -> {
			NodeRuns.pipeline(this.dir, "handover", LONG_MODEL, 41);
			List<String> settings = List.of("--retrain.heartbeat-interval=1s");
			Node leaving = Node.start(this.dir, "node-a", database, "node-a", settings);
			Node survivor = Node.start(this.dir, "node-b", database, "node-b", settings);
			try {
				long runId = leaving.number(leaving.call("launch handover " + PipelineFixtures.LAST + " rolling -"),
						"runId");
				NodeRuns.awaitTraining(leaving, "handover");
				Duration shutdown = leaving.term();
				long stoppedAt = System.nanoTime();

				List<Map<?, ?>> runs = NodeRuns.resumedAndCompleted(survivor, "handover", runId);

				assertThat(runs.get(0).get("status")).isEqualTo("STOPPED");
				assertThat((String) runs.get(0).get("failureReason")).startsWith("handed over: node node-a shut down");
				assertThat(((Number) runs.get(1).get("resumedFromEpoch")).intValue())
					.as("training went on from the leaving node's checkpoint")
					.isPositive();
				assertThat(shutdown).as("within Kubernetes' default grace period").isLessThan(Duration.ofSeconds(30));
				System.out.printf(
						"handover: node A exited %.1f s after SIGTERM; the run completed on node B %.1f s " + "later%n",
						shutdown.toMillis() / 1e3, (System.nanoTime() - stoppedAt) / 1e9);
				survivor.exit();
				survivor = null;
			}
			finally {
				NodeRuns.kill(survivor);
			}
		});
	}

	@Test
	void aSingleNodeRestartedAfterSigtermResumesTheRunItHandedOver() throws Exception {
		NodeRuns.onNewSchema("retrain_handover_one", database -> {
			NodeRuns.pipeline(this.dir, "alone", LONG_MODEL, 43);
			Node alone = Node.start(this.dir, "node-c-1", database, "node-c", List.of());
			long runId = alone.number(alone.call("launch alone " + PipelineFixtures.LAST + " update -"), "runId");
			NodeRuns.awaitTraining(alone, "alone");
			alone.term();

			Node again = Node.start(this.dir, "node-c-2", database, "node-c", List.of());
			try {
				List<Map<?, ?>> runs = NodeRuns.resumedAndCompleted(again, "alone", runId);

				assertThat(runs.get(0).get("status")).isEqualTo("STOPPED");
				again.exit();
				again = null;
			}
			finally {
				NodeRuns.kill(again);
			}
		});
	}

}

package dev.retrain.jobs.faults;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.faults.FaultInjectionIT.Node;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real nodes (JVMs of their own) on one PostgreSQL database and one data directory:
 * the node that launched a run is killed with kill -9 mid-training, after its third
 * epoch's checkpoint. The survivor declares it stopped, restarts the run itself, and the
 * run completes there from the checkpoint, with exactly one version, the registry and the
 * store consistent, and nobody restarting anything by hand. Prints the time from the kill
 * to the resumed run and to its end ({@code -Dnode-death.heartbeat=10s
 * -Dnode-death.timeout=30s} measures the default settings).
 */
class NodeDeathIT {

	@TempDir
	Path dir;

	@Test
	void theSurvivorResumesTheRunsOfAKilledNodeFromTheirCheckpoint() throws Exception {
		NodeRuns.onNewSchema("retrain_death", database -> {
			NodeRuns.pipeline(this.dir, "death", PipelineFixtures.GOOD_MODEL, 31);
			String heartbeat = System.getProperty("node-death.heartbeat", "500ms");
			String timeout = System.getProperty("node-death.timeout", "5s");
			List<String> settings = List.of("--retrain.heartbeat-interval=" + heartbeat,
					"--retrain.node-timeout=" + timeout);
			Node launching = Node.start(this.dir, "node-a", database, "node-a", settings);
			Node survivor = Node.start(this.dir, "node-b", database, "node-b", settings);
			try {
				long runId = launching.number(
						launching.call("launch death " + PipelineFixtures.LAST + " death-1 train.epoch-3"), "runId");
				launching.awaitFailpoint("train.epoch-3");
				launching.kill9();
				long killedAt = System.nanoTime();
				NodeRuns.awaitResumption(survivor, "death");
				double resumedAfter = (System.nanoTime() - killedAt) / 1e9;

				List<Map<?, ?>> runs = NodeRuns.resumedAndCompleted(survivor, "death", runId);

				assertThat(runs.get(0).get("status")).isEqualTo("FAILED");
				assertThat((String) runs.get(0).get("failureReason")).contains("node node-a stopped")
					.contains("declared by node node-b");
				assertThat(runs.get(1).get("resumedFromEpoch")).as("training went on from the killed node's checkpoint")
					.isEqualTo(3);
				System.out.printf(
						"node death: the run resumed on the survivor %.1f s and completed %.1f s after kill -9 "
								+ "of its node (node timeout %s, heartbeat every %s)%n",
						resumedAfter, (System.nanoTime() - killedAt) / 1e9, timeout, heartbeat);
				survivor.exit();
				survivor = null;
			}
			finally {
				NodeRuns.kill(survivor);
			}
		});
	}

}

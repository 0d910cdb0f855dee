package dev.retrain.jobs.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.TestPostgres;
import dev.retrain.jobs.faults.FaultInjectionIT.Node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real nodes (JVMs of their own) on one PostgreSQL database and one data directory:
 * the node that launched a run is killed with kill -9 mid-training, after its third
 * epoch's checkpoint. The survivor declares it stopped, restarts the run itself, and the
 * run completes there from the checkpoint, with exactly one version, the registry and the
 * store consistent, and nobody restarting anything by hand. Prints the time from the kill
 * to the run's training going on.
 */
class NodeDeathIT {

	@TempDir
	Path dir;

	@Test
	void theSurvivorResumesTheRunsOfAKilledNodeFromTheirCheckpoint() throws Exception {
		TestPostgres.require(false);
		String schema = TestPostgres.schema("retrain_death");
		List<String> database = List.of(TestPostgres.url(schema), schema);
		Node launching = null;
		Node survivor = null;
		try {
			PipelineFixtures.sampleData(this.dir.resolve("data"), "sample", 150, 31);
			PipelineFixtures.write(this.dir.resolve("configs"), "death",
					PipelineFixtures.yaml("death", "sample", PipelineFixtures.GOOD_MODEL, ""));
			// -Dnode-death.heartbeat=10s -Dnode-death.timeout=30s measures the defaults
			String heartbeat = System.getProperty("node-death.heartbeat", "500ms");
			String timeout = System.getProperty("node-death.timeout", "5s");
			List<String> fast = List.of("--retrain.heartbeat-interval=" + heartbeat,
					"--retrain.node-timeout=" + timeout);
			launching = Node.start(this.dir, "node-a", database, "node-a", fast);
			survivor = Node.start(this.dir, "node-b", database, "node-b", fast);

			long runId = launching
				.number(launching.call("launch death " + PipelineFixtures.LAST + " death-1 train.epoch-3"), "runId");
			launching.awaitFailpoint("train.epoch-3");
			launching.kill9();
			long killedAt = System.nanoTime();

			Node node = survivor;
			await().atMost(Duration.ofMinutes(3))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> node.callList("runs death").size() == 2);
			double resumedAfter = (System.nanoTime() - killedAt) / 1e9;
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
				List<?> runs = (List<?>) node.callList("runs death");
				return runs.size() == 2 && Boolean.TRUE.equals(((Map<?, ?>) runs.get(1)).get("ended"));
			});
			List<?> runs = node.callList("runs death");
			Map<?, ?> killed = (Map<?, ?>) runs.get(0);
			Map<?, ?> resumed = (Map<?, ?>) runs.get(1);
			assertThat(((Number) killed.get("runId")).longValue()).isEqualTo(runId);
			assertThat(killed.get("status")).isEqualTo("FAILED");
			assertThat((String) killed.get("failureReason")).contains("node node-a stopped")
				.contains("declared by node node-b");
			assertThat(resumed.get("status")).as("%s", resumed).isEqualTo("COMPLETED");
			assertThat(resumed.get("cause")).isEqualTo("restart of run " + runId);
			assertThat(resumed.get("resumedFromEpoch")).as("training went on from the killed node's checkpoint")
				.isEqualTo(3);
			Map<?, ?> state = node.call("state death");
			assertThat((List<?>) state.get("disagreements")).isEmpty();
			assertThat((List<?>) state.get("versions")).isEqualTo(List.of(1));
			assertThat(state.get("champion")).isEqualTo(1);
			assertThat((List<?>) state.get("storeEntries")).isEqualTo(List.of("1"));
			System.out.printf(
					"node death: the run resumed on the survivor %.1f s and completed %.1f s after kill -9 "
							+ "of its node (node timeout %s, heartbeat every %s)%n",
					resumedAfter, (System.nanoTime() - killedAt) / 1e9, timeout, heartbeat);
			survivor.exit();
			survivor = null;
		}
		finally {
			if (survivor != null) {
				survivor.kill9();
			}
			TestPostgres.drop(schema);
		}
	}

}

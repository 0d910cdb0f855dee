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
 * A rolling update: the node running a run gets SIGTERM mid-training. It stops the run
 * after the current epoch, keeps its lock, leaves at once (no waiting for the node
 * timeout), and exits well within Kubernetes' 30 s grace period; the other node resumes
 * the run from its checkpoint and it completes with one version. Two real nodes on
 * PostgreSQL, the default node timeout (30 s) on purpose: the hand-over must not wait for
 * it.
 */
class HandoverIT {

	@TempDir
	Path dir;

	@Test
	void aNodeStoppedWithSigtermHandsItsRunOverToTheOther() throws Exception {
		TestPostgres.require(false);
		String schema = TestPostgres.schema("retrain_handover");
		List<String> database = List.of(TestPostgres.url(schema), schema);
		Node survivor = null;
		try {
			PipelineFixtures.sampleData(this.dir.resolve("data"), "sample", 150, 41);
			PipelineFixtures.write(this.dir.resolve("configs"), "handover", PipelineFixtures.yaml("handover", "sample",
					PipelineFixtures.GOOD_MODEL.replace("epochs: 6", "epochs: 1500"), ""));
			List<String> settings = List.of("--retrain.heartbeat-interval=1s");
			Node leaving = Node.start(this.dir, "node-a", database, "node-a", settings);
			survivor = Node.start(this.dir, "node-b", database, "node-b", settings);

			long runId = leaving.number(leaving.call("launch handover " + PipelineFixtures.LAST + " rolling -"),
					"runId");
			await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
				Map<?, ?> run = (Map<?, ?>) leaving.callList("runs handover").get(0);
				return String.valueOf(run.get("progress")).startsWith("training: epoch ");
			});
			Duration shutdown = leaving.term();
			long stoppedAt = System.nanoTime();

			Node node = survivor;
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
				List<?> runs = node.callList("runs handover");
				return runs.size() == 2 && Boolean.TRUE.equals(((Map<?, ?>) runs.get(1)).get("ended"));
			});
			List<?> runs = node.callList("runs handover");
			Map<?, ?> handed = (Map<?, ?>) runs.get(0);
			Map<?, ?> resumed = (Map<?, ?>) runs.get(1);
			assertThat(((Number) handed.get("runId")).longValue()).isEqualTo(runId);
			assertThat(handed.get("status")).isEqualTo("STOPPED");
			assertThat((String) handed.get("failureReason")).startsWith("handed over: node node-a shut down");
			assertThat(resumed.get("status")).as("%s", resumed).isEqualTo("COMPLETED");
			assertThat(resumed.get("cause")).isEqualTo("restart of run " + runId);
			assertThat(((Number) resumed.get("resumedFromEpoch")).intValue())
				.as("training went on from the leaving node's checkpoint")
				.isPositive();
			Map<?, ?> state = node.call("state handover");
			assertThat((List<?>) state.get("disagreements")).isEmpty();
			assertThat((List<?>) state.get("versions")).isEqualTo(List.of(1));
			assertThat(shutdown).as("within Kubernetes' default grace period").isLessThan(Duration.ofSeconds(30));
			System.out.printf(
					"handover: node A exited %.1f s after SIGTERM; the run completed on node B %.1f s " + "later%n",
					shutdown.toMillis() / 1e3, (System.nanoTime() - stoppedAt) / 1e9);
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

	@Test
	void aSingleNodeRestartedAfterSigtermResumesTheRunItHandedOver() throws Exception {
		TestPostgres.require(false);
		String schema = TestPostgres.schema("retrain_handover_one");
		List<String> database = List.of(TestPostgres.url(schema), schema);
		Node again = null;
		try {
			PipelineFixtures.sampleData(this.dir.resolve("data"), "sample", 150, 43);
			PipelineFixtures.write(this.dir.resolve("configs"), "alone", PipelineFixtures.yaml("alone", "sample",
					PipelineFixtures.GOOD_MODEL.replace("epochs: 6", "epochs: 1500"), ""));
			Node alone = Node.start(this.dir, "node-c-1", database, "node-c", List.of());
			long runId = alone.number(alone.call("launch alone " + PipelineFixtures.LAST + " update -"), "runId");
			await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
				Map<?, ?> run = (Map<?, ?>) alone.callList("runs alone").get(0);
				return String.valueOf(run.get("progress")).startsWith("training: epoch ");
			});
			alone.term();

			again = Node.start(this.dir, "node-c-2", database, "node-c", List.of());
			Node node = again;
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
				List<?> runs = node.callList("runs alone");
				return runs.size() == 2 && Boolean.TRUE.equals(((Map<?, ?>) runs.get(1)).get("ended"));
			});
			List<?> runs = again.callList("runs alone");
			assertThat(((Map<?, ?>) runs.get(0)).get("status")).isEqualTo("STOPPED");
			assertThat(((Map<?, ?>) runs.get(1)).get("status")).isEqualTo("COMPLETED");
			assertThat(((Map<?, ?>) runs.get(1)).get("cause")).isEqualTo("restart of run " + runId);
			assertThat((List<?>) again.call("state alone").get("versions")).isEqualTo(List.of(1));
			again.exit();
			again = null;
		}
		finally {
			if (again != null) {
				again.kill9();
			}
			TestPostgres.drop(schema);
		}
	}

}

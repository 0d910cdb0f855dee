package dev.retrain.jobs.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.TestPostgres;
import dev.retrain.jobs.faults.FaultInjectionIT.Node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the multi-node suites ({@link NodeDeathIT}, {@link HandoverIT}) share: a
 * PostgreSQL schema of their own, a pipeline over generated data, and the two runs of a
 * run resumed elsewhere (the interrupted one, then its restart).
 */
final class NodeRuns {

	private NodeRuns() {
	}

	/** A test body on the database {@code [url, schema]} of a new schema. */
	interface OnDatabase {

		void run(List<String> database) throws Exception;

	}

	/** Runs {@code body} on a new schema (PostgreSQL required), dropped afterwards. */
	static void onNewSchema(String prefix, OnDatabase body) throws Exception {
		TestPostgres.require(false);
		String schema = TestPostgres.schema(prefix);
		try {
			body.run(List.of(TestPostgres.url(schema), schema));
		}
		finally {
			TestPostgres.drop(schema);
		}
	}

	/** Sample data and a pipeline file {@code name} over it with {@code model}. */
	static void pipeline(Path dir, String name, String model, long seed) {
		PipelineFixtures.sampleData(dir.resolve("data"), "sample", 150, seed);
		PipelineFixtures.write(dir.resolve("configs"), name, PipelineFixtures.yaml(name, "sample", model, ""));
	}

	/** Waits until the pipeline's (first) run trains. */
	static void awaitTraining(Node node, String pipeline) {
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
			Map<?, ?> run = (Map<?, ?>) node.callList("runs " + pipeline).get(0);
			return String.valueOf(run.get("progress")).startsWith("training: epoch ");
		});
	}

	/** Waits until the pipeline has a second run (the resumed one). */
	static void awaitResumption(Node node, String pipeline) {
		await().atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> node.callList("runs " + pipeline).size() == 2);
	}

	/**
	 * Waits until the resumed run has ended, checks that it completed as the restart of
	 * {@code runId} with exactly one version and a consistent registry and store, and
	 * returns both runs: the interrupted one, then the resumed one.
	 */
	static List<Map<?, ?>> resumedAndCompleted(Node node, String pipeline, long runId) throws Exception {
		await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
			List<?> runs = node.callList("runs " + pipeline);
			return runs.size() == 2 && Boolean.TRUE.equals(((Map<?, ?>) runs.get(1)).get("ended"));
		});
		List<?> runs = node.callList("runs " + pipeline);
		Map<?, ?> interrupted = (Map<?, ?>) runs.get(0);
		Map<?, ?> resumed = (Map<?, ?>) runs.get(1);
		assertThat(((Number) interrupted.get("runId")).longValue()).isEqualTo(runId);
		assertThat(resumed.get("status")).as("%s", resumed).isEqualTo("COMPLETED");
		assertThat(resumed.get("cause")).isEqualTo("restart of run " + runId);
		Map<?, ?> state = node.call("state " + pipeline);
		assertThat((List<?>) state.get("disagreements")).isEmpty();
		assertThat((List<?>) state.get("versions")).isEqualTo(List.of(1));
		assertThat(state.get("champion")).isEqualTo(1);
		return List.of(interrupted, resumed);
	}

	/** Stops a node still running at the end of a test, whichever way the test ended. */
	static void kill(Node node) throws InterruptedException {
		if (node != null) {
			node.kill9();
		}
	}

}

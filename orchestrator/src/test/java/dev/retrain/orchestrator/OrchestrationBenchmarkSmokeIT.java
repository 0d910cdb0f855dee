package dev.retrain.orchestrator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the orchestration benchmark from rotting: a few pipelines, no speed asserted
 * (README, "Speed").
 */
class OrchestrationBenchmarkSmokeIT {

	@Test
	void runsPipelinesBackToBackAndAtOnceAndReportsEveryStep(@TempDir Path out) throws Exception {
		List<OrchestrationBenchmark.Phase> phases = OrchestrationBenchmark.run(3, 3, out);

		assertThat(phases).hasSize(3);
		assertThat(phases.get(0).medianAndP95())
			.containsKey("GET /api/pipelines/{name} with HTTP Basic (bcrypt once, then remembered)");
		assertThat(phases.subList(1, 3)).allSatisfy(p -> {
			assertThat(p.detail()).allSatisfy(r -> {
				assertThat(r.status()).isEqualTo("COMPLETED");
				assertThat(r.stepMillis()).containsOnlyKeys("snapshot", "validate", "train", "evaluate", "decide",
						"register");
				assertThat(r.trainingMillis()).isPositive().isLessThanOrEqualTo(r.stepMillis().get("train"));
			});
			assertThat(p.medianAndP95()).containsKeys("REST launch latency", "run outside training");
		});
		assertThat(phases.get(1).runs()).isEqualTo(3);
		assertThat(Files.readString(out.resolve("orchestration.md"))).contains("launched at once");
	}

}

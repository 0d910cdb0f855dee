package dev.retrain.orchestrator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerCommandTests {

	@Test
	void theWorkerCommandTakesTheDefaultQueueAndFiresNoSchedulesUnlessToldOtherwise() {
		assertThat(RetrainApplication.workerArguments(new String[] { "worker", "--spring.profiles.active=postgres" }))
			.containsExactly("--spring.profiles.active=postgres", "--retrain.workers.consume=default",
					"--management.health.rabbit.enabled=true");
		assertThat(RetrainApplication.workerArguments(new String[] { "worker", "--retrain.workers.consume=gpu,cpu" }))
			.contains("--retrain.workers.consume=gpu,cpu")
			.doesNotContain("--retrain.workers.consume=default");
	}

}

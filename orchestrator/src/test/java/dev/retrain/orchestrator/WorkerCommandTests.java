package dev.retrain.orchestrator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker command's defaults. That an environment variable overrides them (as the Helm
 * chart's {@code RETRAIN_WORKERS_CONSUME} must) is shown with a real worker process in
 * {@code DeploymentIT}.
 */
class WorkerCommandTests {

	@Test
	void theWorkerCommandTakesTheDefaultQueueAndReportsTheBrokerInItsHealth() {
		assertThat(RetrainApplication.workerDefaults()).containsEntry("retrain.workers.consume", "default")
			.containsEntry("management.health.rabbit.enabled", "true");
	}

}

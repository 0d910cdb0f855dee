package dev.retrain.jobs.workers;

import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.TestPostgres;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunRecord;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Workers on, and nobody consumes the pipeline's queue: the run says it waits for a
 * worker on that queue, then fails naming it after
 * {@code retrain.workers.unclaimed-timeout}, instead of waiting silently for the step
 * timeout (12 h). Needs PostgreSQL and RabbitMQ (CI starts both).
 */
class NoWorkerIT extends RetrainTestSupport {

	static final String SCHEMA = TestPostgres.schema("retrain_noworker");

	static final String QUEUE = "nobody" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestPostgres.require(true);
		TestPostgres.register(registry, SCHEMA);
		registry.add("retrain.workers.enabled", () -> "true");
		registry.add("retrain.workers.poll-interval", () -> "200ms");
		registry.add("retrain.workers.unclaimed-timeout", () -> "12s");
	}

	@AfterAll
	static void dropSchema() throws SQLException {
		TestPostgres.drop(SCHEMA);
	}

	@Test
	void aRunWhoseQueueNobodyConsumesSaysSoAndFailsNamingTheQueue() {
		sampleData(DATA_DIR, "unclaimed", 150, 71);
		definePipeline("unclaimed", yaml("unclaimed", "unclaimed", GOOD_MODEL, "resources:\n  queue: " + QUEUE));

		LaunchedRun launched = launch("unclaimed", LAST, "nobody", null);

		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> this.runs.find(launched.runId())
				.map(r -> r.progress() != null && r.progress().startsWith("waiting for a worker"))
				.orElse(false));
		assertThat(this.runs.find(launched.runId()).orElseThrow().progress())
			.isEqualTo("waiting for a worker on queue retrain.steps." + QUEUE + " to take step train-on-worker");

		RunRecord run = awaitEnd(launched.runId());
		assertThat(run.status()).isEqualTo("FAILED");
		assertThat(run.failureReason()).contains("no worker took step train-on-worker from queue retrain.steps." + QUEUE
				+ " within PT12S (retrain.workers.unclaimed-timeout)");
	}

	@Test
	void aSearchWhoseQueueNobodyConsumesFailsNamingTheQueueInsteadOfWaitingForTheStepTimeout() {
		sampleData(DATA_DIR, "unclaimed-search", 150, 72);
		String queue = QUEUE + "s";
		definePipeline("unclaimed-search", yaml("unclaimed-search", "unclaimed-search", GOOD_MODEL, """
				resources:
				  queue: %s
				search:
				  selection-days: 3
				  windows-days: [9, 14]
				  learning-rate: [0.05]""".formatted(queue)));

		RunRecord run = run("unclaimed-search", LAST, "nobody-search");

		assertThat(run.status()).isEqualTo("FAILED");
		assertThat(run.failureReason()).contains("no worker took 2 steps search-candidate from queue retrain.steps."
				+ queue + " within PT12S (retrain.workers.unclaimed-timeout)");
	}

	@Test
	void busyWorkersAreNotNoWorkerTheStepWaitsWhileTheQueueHasAConsumer() throws Exception {
		sampleData(DATA_DIR, "busy", 150, 73);
		String queue = QUEUE + "b";
		definePipeline("busy", yaml("busy", "busy", GOOD_MODEL, "resources:\n  queue: " + queue));
		String rabbitQueue = WorkerConfiguration.queueName(queue);
		WorkerQueues.declare(this.admin, rabbitQueue);
		// a consumer that takes the request and holds it, as a worker busy with it would
		// before its step starts
		try (Connection connection = this.connections.createConnection()) {
			Channel channel = connection.createChannel(false);
			channel.basicQos(1);
			String consumer = channel.basicConsume(rabbitQueue, false, new DefaultConsumer(channel));
			LaunchedRun launched = launch("busy", LAST, "busy", null);
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> this.runs.find(launched.runId())
					.map(r -> r.progress() != null && r.progress().endsWith("(1 consuming it, all busy)"))
					.orElse(false));
			// longer than the unclaimed timeout (12 s): still waiting, not failed
			await().during(Duration.ofSeconds(16))
				.atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> this.runs.find(launched.runId()).map(r -> r.endedAt() == null).orElse(false));
			// (a cached channel: cancel the consumer and give its message back, as a
			// worker that stops would)
			channel.basicCancel(consumer);
			channel.basicRecover(true);
			channel.close();
			// nobody consumes it any more: it fails after the timeout, naming the queue
			RunRecord run = awaitEnd(launched.runId());
			assertThat(run.status()).isEqualTo("FAILED");
			assertThat(run.failureReason()).contains("no worker took step train-on-worker from queue " + rabbitQueue);
		}
	}

	@Autowired
	AmqpAdmin admin;

	@Autowired
	ConnectionFactory connections;

}

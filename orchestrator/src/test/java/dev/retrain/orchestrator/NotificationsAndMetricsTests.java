package dev.retrain.orchestrator;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.PipelineFixtures;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.orchestrator.ApiClient.OPERATOR;
import static dev.retrain.orchestrator.ApiClient.VIEWER;
import static dev.retrain.orchestrator.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks with retries against a real local HTTP receiver, and the Prometheus metrics.
 */
@SpringBootTest(classes = RetrainApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class NotificationsAndMetricsTests {

	static final TestDirs DIRS = TestDirs.create("notify");

	static final Path DATA_DIR = DIRS.data();

	static final Path CONFIG_DIR = DIRS.configs();

	static final HttpServer RECEIVER;

	static final List<String> RECEIVED = new CopyOnWriteArrayList<>();

	static final AtomicInteger ATTEMPTS = new AtomicInteger();

	static final String DEAD_HOOK = "http://127.0.0.1:9/nobody-listens";

	@Autowired
	JdbcTemplate jdbc;

	static {
		try {
			RECEIVER = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		// the receiver fails every first delivery attempt of an event, then accepts
		RECEIVER.createContext("/hook", exchange -> {
			String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			ATTEMPTS.incrementAndGet();
			boolean accept = RECEIVED.stream().anyMatch(body::equals);
			RECEIVED.add(body);
			exchange.sendResponseHeaders(accept ? 204 : 500, -1);
			exchange.close();
		});
		RECEIVER.start();
		PipelineFixtures.sampleData(DATA_DIR, "shared", 150, 91);
		PipelineFixtures.write(CONFIG_DIR, "noisy", PipelineFixtures.yaml("noisy", "shared", GOOD_MODEL, ""));
		PipelineFixtures.write(CONFIG_DIR, "broken", PipelineFixtures.yaml("broken", "missing", GOOD_MODEL, ""));
	}

	@AfterAll
	static void stop() {
		RECEIVER.stop(0);
	}

	@DynamicPropertySource
	static void props(DynamicPropertyRegistry registry) {
		DIRS.register(registry);
		registry.add("retrain.notifications.webhooks[0].url",
				() -> "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hook");
		registry.add("retrain.notifications.webhooks[0].events[0]", () -> "promotion");
		registry.add("retrain.notifications.webhooks[0].events[1]", () -> "failure");
		registry.add("retrain.notifications.webhooks[1].url", () -> DEAD_HOOK);
		registry.add("retrain.notifications.first-backoff", () -> "100ms");
		registry.add("retrain.notifications.poll", () -> "100ms");
		registry.add("retrain.notifications.timeout", () -> "2s");
		registry.add("retrain.notifications.resubmit-after", () -> "10s");
		registry.add("spring.modulith.events.staleness.check-intervall", () -> "500ms");
		registry.add("spring.modulith.events.staleness.processing", () -> "1s");
		registry.add("retrain.metrics.refresh", () -> "300ms");
	}

	@LocalServerPort
	int port;

	long runAndWait(String pipeline) throws Exception {
		ApiClient operator = ApiClient.as(this.port, OPERATOR);
		long id = json(operator.post("/api/pipelines/" + pipeline + "/runs", "{\"asOf\":\"" + LAST + "\"}"))
			.get("runId")
			.asLong();
		await().atMost(Duration.ofMinutes(2))
			.until(() -> !json(ApiClient.as(this.port, VIEWER).get("/api/runs/" + id)).get("endedAt").isNull());
		return id;
	}

	@Test
	void promotionsAndFailuresReachTheWebhookAfterRetriesAndADeadWebhookFailsNothing() throws Exception {
		long ok = runAndWait("noisy");
		long failed = runAndWait("broken");
		assertThat(json(ApiClient.as(this.port, VIEWER).get("/api/runs/" + ok)).get("status").asString())
			.isEqualTo("COMPLETED");
		assertThat(json(ApiClient.as(this.port, VIEWER).get("/api/runs/" + failed)).get("status").asString())
			.isEqualTo("FAILED");

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			List<JsonNode> events = RECEIVED.stream()
				.distinct()
				.map(dev.retrain.models.json.Json.MAPPER::readTree)
				.toList();
			assertThat(events).anySatisfy(e -> {
				assertThat(e.get("event").asString()).isEqualTo("promotion");
				assertThat(e.path("runId").asLong()).isEqualTo(ok);
			});
			assertThat(events).anySatisfy(e -> {
				assertThat(e.get("event").asString()).isEqualTo("failure");
				assertThat(e.get("summary").asString()).contains("data directory does not exist");
			});
		});
		assertThat(RECEIVED.size()).as("each event was delivered on a retry")
			.isGreaterThan((int) RECEIVED.stream().distinct().count());
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(deadHookDeliveries())
				.as("the dead webhook's deliveries failed every try and stay due, without failing anything else")
				.isNotEmpty()
				.allSatisfy(row -> assertThat(row.get("COMPLETION_DATE")).isNull())
				.anySatisfy(row -> assertThat(row.get("STATUS")).isEqualTo("FAILED")));
	}

	private List<Map<String, Object>> deadHookDeliveries() throws Exception {
		return this.jdbc.queryForList(
				"SELECT listener_id, status, completion_date FROM event_publication " + "WHERE serialized_event LIKE ?",
				"%" + sha256(DEAD_HOOK) + "%");
	}

	@Test
	void aDeliveryLeftIncompleteByANodeThatStoppedIsMadeByThisNode() throws Exception {
		runAndWait("broken");
		await().atMost(Duration.ofSeconds(30)).until(() -> !deadHookDeliveries().isEmpty());
		String listener = (String) deadHookDeliveries().get(0).get("LISTENER_ID");
		String url = "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hook";
		String body = "{\"event\":\"promotion\",\"pipeline\":\"left-over\"}";
		String due = dev.retrain.models.json.Json.MAPPER.writeValueAsString(
				Map.of("hookKey", sha256(url), "event", "promotion", "pipeline", "left-over", "body", body));
		// as a node leaves it when it stops in the middle of a delivery: published ten
		// minutes ago, still processing
		this.jdbc
			.update("INSERT INTO event_publication (id, listener_id, event_type, serialized_event, publication_date, "
					+ "status, completion_attempts) VALUES (?, ?, 'dev.retrain.orchestrator.notifications.WebhookDue', ?, ?, "
					+ "'PROCESSING', 1)", UUID.randomUUID(), listener, due,
					OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(10));

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(RECEIVED).contains(body));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.jdbc
				.queryForList("SELECT id FROM event_publication WHERE serialized_event LIKE '%left-over%'"))
				.as("a delivery made is completed (and removed)")
				.isEmpty());
	}

	private static String sha256(String s) throws java.security.NoSuchAlgorithmException {
		return java.util.HexFormat.of()
			.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
	}

	@Test
	void prometheusShowsRunsChampionMetricAndTimeSinceSuccess() throws Exception {
		runAndWait("noisy");
		ApiClient viewer = ApiClient.as(this.port, VIEWER);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			String metrics = viewer.get("/actuator/prometheus").body();
			assertThat(metrics).contains("retrain_runs{")
				.contains("pipeline=\"noisy\"")
				.contains("status=\"COMPLETED\"")
				.contains("trigger=\"manual\"")
				.contains("retrain_champion_metric{metric=\"roc_auc\",pipeline=\"noisy\"}")
				.contains("retrain_since_last_success_seconds{pipeline=\"noisy\"}")
				.contains("retrain_last_step_duration_seconds{pipeline=\"noisy\",step=\"train\"}")
				.contains("retrain_training_samples_per_second{pipeline=\"noisy\"}")
				.contains("retrain_promotions{pipeline=\"noisy\"}");
		});
		ApiClient.as(this.port, OPERATOR).post("/api/pipelines/noisy/drift-checks", "{\"asOf\":\"" + LAST + "\"}");
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(viewer.get("/actuator/prometheus").body())
				.contains("retrain_drift_statistic{drifted=")
				.contains("feature=\"tenure_days\""));
	}

}

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
				.contains("retrain_drift_threshold{feature=\"tenure_days\"")
				.contains("retrain_drift_detected{pipeline=\"noisy\"}")
				.contains("retrain_consecutive_failures{pipeline=\"noisy\"} 0.0")
				.contains("retrain_steps_waiting_for_worker{pipeline=\"noisy\"} 0.0")
				.contains("retrain_step_wait_for_worker_seconds{pipeline=\"noisy\"} 0.0"));
		observabilityAsCodeUsesOnlyWhatIsExported(viewer.get("/actuator/prometheus").body());
	}

	/**
	 * deploy/observability: every metric and label the Grafana dashboard and the alert
	 * rules use (in expressions, legends and annotations) is one the application exports;
	 * and the alert routed back to the application is accepted by the endpoint
	 * Alertmanager's configuration sends it to.
	 */
	@SuppressWarnings("unchecked")
	private void observabilityAsCodeUsesOnlyWhatIsExported(String exposition) throws Exception {
		Map<String, java.util.Set<String>> exported = PromQlNames.exported(exposition);
		Path dir = Path.of("..", "deploy", "observability");
		List<String[]> uses = new java.util.ArrayList<>();
		JsonNode dashboard = dev.retrain.models.json.Json.MAPPER
			.readTree(java.nio.file.Files.readString(dir.resolve("grafana/retrain-dashboard.json")));
		for (JsonNode panel : dashboard.get("panels")) {
			for (JsonNode t : panel.get("targets")) {
				uses.add(new String[] { "panel '" + panel.get("title").asString() + "'", t.get("expr").asString(),
						t.path("legendFormat").asString("") });
			}
		}
		for (JsonNode v : dashboard.at("/templating/list")) {
			if (v.has("definition")) {
				uses.add(new String[] { "variable " + v.get("name").asString(), v.get("definition").asString(), "" });
			}
		}
		Map<String, Object> rules = new org.yaml.snakeyaml.Yaml()
			.load(java.nio.file.Files.readString(dir.resolve("prometheus/retrain-alerts.yaml")));
		Map<String, Object> routed = null;
		for (Object group : (List<?>) rules.get("groups")) {
			for (Object r : (List<?>) ((Map<?, ?>) group).get("rules")) {
				@SuppressWarnings("unchecked")
				Map<String, Object> rule = (Map<String, Object>) r;
				uses.add(new String[] { "alert " + rule.get("alert"), (String) rule.get("expr"),
						String.valueOf(rule.get("annotations")) });
				if ("retrain".equals(((Map<?, ?>) rule.get("labels")).get("route"))) {
					routed = rule;
				}
			}
		}
		assertThat(uses).hasSizeGreaterThan(12);
		java.util.regex.Pattern templated = java.util.regex.Pattern
			.compile("\\{\\{\\s*\\$?(?:labels\\.)?([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");
		for (String[] use : uses) {
			PromQlNames names = PromQlNames.of(use[1]);
			assertThat(names.metrics()).as(use[0] + ": " + use[1]).isNotEmpty();
			java.util.Set<String> labels = new java.util.HashSet<>();
			for (String metric : names.metrics()) {
				assertThat(exported).as(use[0] + " uses metric " + metric).containsKey(metric);
				labels.addAll(exported.get(metric));
			}
			assertThat(labels).as(use[0] + " uses labels " + names.labels()).containsAll(names.labels());
			java.util.regex.Matcher m = templated.matcher(use[2]);
			while (m.find()) {
				if (!m.group(1).equals("value")) {
					assertThat(labels).as(use[0] + " shows label " + m.group(1)).contains(m.group(1));
				}
			}
		}

		// the alert routed back: Alertmanager's webhook for its receiver, with the rule's
		// labels, reaches the drift-event endpoint and becomes a drift event
		assertThat(routed).as("an alert labelled route=retrain").isNotNull();
		Map<String, Object> am = new org.yaml.snakeyaml.Yaml()
			.load(java.nio.file.Files.readString(dir.resolve("alertmanager/alertmanager.yaml")));
		String url = ((List<?>) am.get("receivers")).stream()
			.map(Map.class::cast)
			.filter(rc -> "retrain".equals(rc.get("name")))
			.map(rc -> (String) ((Map<?, ?>) ((List<?>) rc.get("webhook_configs")).get(0)).get("url"))
			.findFirst()
			.orElseThrow();
		String path = java.net.URI.create(url).getPath();
		Map<String, Object> labels = new java.util.LinkedHashMap<>((Map<String, Object>) routed.get("labels"));
		labels.put("alertname", routed.get("alert"));
		labels.put("pipeline", "noisy");
		String payload = dev.retrain.models.json.Json.MAPPER.writeValueAsString(Map.of("version", "4", "status",
				"firing", "receiver", "retrain", "groupLabels", Map.of(), "commonLabels", Map.of(), "alerts",
				List.of(Map.of("status", "firing", "labels", labels, "annotations", Map.of("summary", "drifted"),
						"startsAt", "2026-11-30T01:00:00Z", "fingerprint", "routed-back"))));
		var accepted = ApiClient.as(this.port, OPERATOR).post(path, payload);
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
		assertThat(json(accepted).get(0).get("source").asString()).isEqualTo("alertmanager");
	}

}

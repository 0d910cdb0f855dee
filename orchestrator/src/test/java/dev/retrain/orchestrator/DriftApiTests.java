package dev.retrain.orchestrator;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.models.json.Json;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drift events, Alertmanager's webhook, on-demand checks and schedules over real HTTP.
 */
class DriftApiTests extends OrchestratorTestSupport {

	@BeforeAll
	static void pipelines(ApplicationContext context) {
		sampleData("watched", 150, 71);
		definePipeline(context, "watched", PipelineFixtures.yaml("watched", "watched", GOOD_MODEL,
				"drift:\n  schedule:\n    cron: \"0 15 1 * * ?\"\n  cooldown-hours: 24"));
	}

	HttpResponse<String> post(String path, String json) throws Exception {
		return ApiClient.as(this.port, ApiClient.OPERATOR).post(path, json);
	}

	HttpResponse<String> get(String path) throws Exception {
		return ApiClient.as(this.port, ApiClient.VIEWER).get(path);
	}

	static JsonNode json(HttpResponse<String> r) {
		return Json.MAPPER.readTree(r.body());
	}

	/** The schedules of one pipeline, from the list of all (the other classes' too). */
	List<JsonNode> schedulesOf(String pipeline) throws Exception {
		return json(get("/api/schedules")).valueStream()
			.filter(s -> s.get("pipeline").asString().equals(pipeline))
			.toList();
	}

	@Test
	void driftEventsAreValidatedIdempotentAndLeadToOneRun() throws Exception {
		assertThat(post("/api/drift-events", "{\"pipeline\":\"watched\",\"source\":\"evidently\",\"eventId\":\"e1\"}")
			.statusCode()).isEqualTo(400);
		assertThat(post("/api/drift-events",
				"{\"pipeline\":\"nope\",\"source\":\"evidently\",\"eventId\":\"e1\",\"severity\":\"critical\"}")
			.statusCode()).isEqualTo(404);
		assertThat(post("/api/drift-events",
				"{\"pipeline\":\"watched\",\"source\":\"evidently\",\"eventId\":\"e1\",\"severity\":\"apocalyptic\"}")
			.statusCode()).isEqualTo(400);

		String event = "{\"pipeline\":\"watched\",\"source\":\"evidently\",\"eventId\":\"e1\",\"severity\":\"critical\","
				+ "\"details\":\"share of drifted columns 0.6\",\"asOf\":\"" + LAST + "\"}";
		HttpResponse<String> first = post("/api/drift-events", event);
		assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
		assertThat(json(first).get("outcome").asString()).isEqualTo("STARTED_RUN");
		long runId = json(first).get("runId").asLong();
		HttpResponse<String> again = post("/api/drift-events", event);
		assertThat(again.statusCode()).isEqualTo(202);
		assertThat(json(again).get("duplicate").asBoolean()).isTrue();
		assertThat(json(again).get("id").asLong()).isEqualTo(json(first).get("id").asLong());

		String alertmanager = """
				{"version":"4","groupKey":"{}:{alertname=\\"FeatureDrift\\"}","status":"firing","receiver":"retrain",
				 "groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am","truncatedAlerts":0,
				 "alerts":[
				  {"status":"firing","labels":{"alertname":"FeatureDrift","pipeline":"watched","severity":"warning"},
				   "annotations":{"summary":"psi above 0.3"},"startsAt":"2026-11-29T01:00:00Z","endsAt":"0001-01-01T00:00:00Z",
				   "generatorURL":"http://prom","fingerprint":"abc123"},
				  {"status":"resolved","labels":{"alertname":"FeatureDrift","pipeline":"watched"},
				   "annotations":{},"startsAt":"2026-11-28T01:00:00Z","endsAt":"2026-11-28T02:00:00Z","fingerprint":"old"}]}
				""";
		HttpResponse<String> am = post("/api/drift-events/alertmanager", alertmanager);
		assertThat(am.statusCode()).as(am.body()).isEqualTo(202);
		assertThat(json(am)).hasSize(1);
		assertThat(json(am).get(0).get("outcome").asString()).isIn("MERGED", "SUPPRESSED_COOLDOWN");
		assertThat(json(am).get(0).get("source").asString()).isEqualTo("alertmanager");

		// the pipeline's events, newest first, each with what it led to (the duplicate is
		// not a second event)
		JsonNode listed = json(get("/api/pipelines/watched/drift-events"));
		assertThat(listed).hasSize(2);
		assertThat(listed.get(0).get("source").asString()).isEqualTo("alertmanager");
		assertThat(listed.get(1).get("outcome").asString()).isEqualTo("STARTED_RUN");
		assertThat(listed.get(1).get("runId").asLong()).isEqualTo(runId);
		assertThat(get("/api/pipelines/nope/drift-events").statusCode()).isEqualTo(404);
		assertThat(get("/api/pipelines/watched/drift-events?limit=0").statusCode()).isEqualTo(400);

		await().atMost(Duration.ofMinutes(2)).until(() -> !json(get("/api/runs/" + runId)).get("endedAt").isNull());
		JsonNode run = json(get("/api/runs/" + runId));
		assertThat(run.get("trigger").asString()).isEqualTo("drift");
		assertThat(run.get("cause").asString()).contains("evidently").contains("share of drifted columns");
		assertThat(run.get("asOf").asString()).isEqualTo(LAST.toString());

		HttpResponse<String> check = post("/api/pipelines/watched/drift-checks", "{\"asOf\":\"" + LAST + "\"}");
		assertThat(check.statusCode()).as(check.body()).isEqualTo(200);
		assertThat(json(check).get("status").asString()).isIn("DRIFT", "NO_DRIFT");
		assertThat(json(check).get("features")).hasSize(6);
		assertThat(json(get("/api/pipelines/watched/drift")).get("id").asLong())
			.isEqualTo(json(check).get("id").asLong());
		assertThat(json(get("/api/pipelines/watched/drift/history"))).hasSize(1);

		List<JsonNode> schedules = schedulesOf("watched");
		assertThat(schedules).hasSize(1);
		assertThat(schedules.get(0).get("kind").asString()).isEqualTo("drift-check");
		assertThat(schedules.get(0).get("nextFireTime").isNull()).isFalse();
		assertThat(post("/api/schedules/drift-check/watched/pause", null).statusCode()).isEqualTo(200);
		assertThat(schedulesOf("watched").get(0).get("state").asString()).isEqualTo("PAUSED");
		assertThat(post("/api/schedules/retrain/watched/pause", null).statusCode()).isEqualTo(404);
		assertThat(post("/api/schedules/sideways/watched/pause", null).statusCode()).isEqualTo(400);
	}

}

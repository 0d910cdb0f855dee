package dev.retrain.orchestrator;

import java.net.http.HttpResponse;
import java.time.Duration;

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
 * The REST API over real HTTP, against the application on the embedded default (H2 in a
 * file).
 */
class RestApiTests extends OrchestratorTestSupport {

	@BeforeAll
	static void pipelines(ApplicationContext context) {
		sampleData("web", 150, 21);
		definePipeline(context, "web", PipelineFixtures.yaml("web", "web", GOOD_MODEL, ""));
		definePipeline(context, "broken",
				PipelineFixtures.yaml("broken", "web", GOOD_MODEL, "").replace("task: binary", "task: binry"));
	}

	HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
		return ApiClient.as(this.port, ApiClient.ADMIN).send(method, path, contentType, body);
	}

	static JsonNode json(HttpResponse<String> r) {
		return Json.MAPPER.readTree(r.body());
	}

	@Test
	void launchReturns202AndTheRunShowsStepsMetricsAndDecision() throws Exception {
		HttpResponse<String> launched = send("POST", "/api/pipelines/web/runs", "application/json",
				"{\"asOf\":\"" + LAST + "\",\"runKey\":\"first\"}");
		assertThat(launched.statusCode()).as(launched.body()).isEqualTo(202);
		long runId = json(launched).get("runId").asLong();
		assertThat(launched.headers().firstValue("Location")).contains("/api/runs/" + runId);

		await().atMost(Duration.ofMinutes(2)).until(() -> {
			JsonNode run = json(send("GET", "/api/runs/" + runId, null, null));
			return run.get("endedAt") != null && !run.get("endedAt").isNull();
		});
		JsonNode run = json(send("GET", "/api/runs/" + runId, null, null));
		assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("COMPLETED");
		assertThat(run.get("trigger").asString()).isEqualTo("manual");
		assertThat(run.get("decision").asString()).isEqualTo("PROMOTE");
		assertThat(run.get("steps").valueStream().map(s -> s.get("name").asString()).toList())
			.containsExactly("snapshot", "validate", "train", "evaluate", "decide", "register");
		assertThat(run.get("steps").get(2).get("millis").asLong()).isPositive();
		assertThat(run.at("/details/evaluation/candidate/recent/roc_auc").asDouble()).isBetween(0.5, 1.0);
		assertThat(run.at("/details/validation/passed").asBoolean()).isTrue();

		JsonNode versions = json(send("GET", "/api/models/web/versions", null, null));
		assertThat(versions.at("/aliases/champion").asInt()).isEqualTo(1);
		assertThat(versions.at("/versions/0/aliases/0").asString()).isEqualTo("champion");
		JsonNode version = json(send("GET", "/api/models/web/versions/1", null, null));
		assertThat(version.at("/metadata/dataset/id").asString()).isEqualTo(run.get("snapshotId").asString());

		// the other test classes' pipelines are listed too: this class's are web, and
		// broken, which fails to load
		JsonNode pipelines = json(send("GET", "/api/pipelines", null, null));
		assertThat(pipelines.get("pipelines").valueStream().map(p -> p.get("name").asString()).toList()).contains("web")
			.doesNotContain("broken");
		assertThat(pipelines.get("pipelines").valueStream().filter(p -> p.get("name").asString().equals("web")))
			.singleElement()
			.satisfies(web -> assertThat(web.get("champion").asInt()).isEqualTo(1));
		assertThat(pipelines.get("loadErrors").valueStream().map(JsonNode::asString))
			.filteredOn(e -> e.contains("broken.yaml"))
			.singleElement()
			.asString()
			.contains("label.task");

		HttpResponse<String> again = send("POST", "/api/pipelines/web/runs", "application/json",
				"{\"asOf\":\"" + LAST + "\",\"runKey\":\"first\"}");
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(json(again).get("detail").asString()).contains("already completed");
	}

	@Test
	void aSecondLaunchWhileOneRunsGets409NamingTheRunningExecution() throws Exception {
		HttpResponse<String> first = send("POST", "/api/pipelines/web/runs", "application/json", "{}");
		HttpResponse<String> second = send("POST", "/api/pipelines/web/runs", null, null);

		assertThat(first.statusCode()).isEqualTo(202);
		long runId = json(first).get("runId").asLong();
		assertThat(second.statusCode()).isEqualTo(409);
		assertThat(second.headers().firstValue("Content-Type")).contains("application/problem+json");
		JsonNode problem = json(second);
		assertThat(problem.get("runningRunId").asLong()).isEqualTo(runId);
		assertThat(problem.get("detail").asString()).contains("run " + runId);
		await().atMost(Duration.ofMinutes(2))
			.until(() -> !json(send("GET", "/api/runs/" + runId, null, null)).get("endedAt").isNull());
	}

	@Test
	void badRequestsGetProblemDetailsNever5xx() throws Exception {
		assertProblem(send("GET", "/api/pipelines/nope", null, null), 404, "no pipeline named 'nope'");
		assertProblem(send("POST", "/api/pipelines/Bad%20Name/runs", null, null), 400, "invalid pipeline name");
		assertProblem(send("GET", "/api/models/..hidden/versions", null, null), 400, "invalid pipeline name");
		// encoded slashes are refused by the servlet container itself, before any
		// application code
		for (String path : new String[] { "/api/models/..%2F..%2Fetc/versions", "/api/models/a%00b/versions",
				"/api/models/a%5Cb/versions" }) {
			HttpResponse<String> encoded = send("GET", path, null, null);
			assertThat(encoded.statusCode()).as(path).isEqualTo(400);
			assertThat(encoded.headers().firstValue("Content-Type")).as(path)
				.hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
			assertThat(json(encoded).get("status").asInt()).isEqualTo(400);
			assertThat(encoded.body()).doesNotContain("at org.").doesNotContain("Exception").doesNotContain("Tomcat");
		}
		assertProblem(send("POST", "/api/pipelines/web/runs", "application/json", "{\"asOf\":"), 400, "malformed");
		assertProblem(send("POST", "/api/pipelines/web/runs", "application/json", "{\"asof\":\"2024-01-01\"}"), 400,
				"unknown field 'asof'");
		assertProblem(send("POST", "/api/pipelines/web/runs", "application/json", "{\"asOf\":\"2024-13-45\"}"), 400,
				null);
		assertProblem(send("POST", "/api/pipelines/web/runs", "application/json", "{\"mode\":\"sideways\"}"), 400,
				null);
		// absurd dates and epoch days are refused before anything starts
		for (String asOf : new String[] { "\"+99999-01-01\"", "\"-999999999-01-01\"", "\"1899-12-31\"" }) {
			assertProblem(send("POST", "/api/pipelines/web/runs", "application/json", "{\"asOf\":" + asOf + "}"), 400,
					"asOf must be between 1900-01-01 and 2999-12-31");
			assertProblem(
					send("POST", "/api/pipelines/web/drift-checks", "application/json", "{\"asOf\":" + asOf + "}"), 400,
					"asOf must be between");
			assertProblem(send("POST", "/api/drift-events", "application/json",
					"{\"pipeline\":\"web\",\"source\":\"t\",\"eventId\":\"absurd\",\"severity\":\"info\"," + "\"asOf\":"
							+ asOf + "}"),
					400, "asOf must be between");
		}
		assertProblem(send("POST", "/api/pipelines/web/runs", "application/json", "{\"asOf\":12345}"), 400, null);
		// a page far beyond the last is empty, not an overflow
		HttpResponse<String> far = send("GET", "/api/runs?page=4294968&size=500", null, null);
		assertThat(far.statusCode()).as(far.body()).isEqualTo(200);
		assertThat(json(far).get("runs")).isEmpty();
		assertProblem(send("GET", "/api/runs/987654", null, null), 404, "no run with id 987654");
		assertProblem(send("GET", "/api/models/nope/versions", null, null), 404, "no pipeline named 'nope'");
		assertProblem(send("GET", "/error", null, null), 404, "no resource at /error");
		assertProblem(send("GET", "/api/models/web/versions/99", null, null), 404, "no model version 99");
		assertProblem(send("POST", "/api/runs/987654/restart", null, null), 404, null);
		// one spelling per number: no hex, no blanks, no signs that Spring would forgive
		for (String v : new String[] { "0x1", "%201", "1%20", "+1" }) {
			assertProblem(send("GET", "/api/models/web/versions/" + v, null, null), 400, null);
		}
		assertProblem(send("GET", "/api/runs/0x1", null, null), 400, "not a whole number");
		// a missing alias of a pipeline that exists is said as such
		assertProblem(send("GET", "/api/models/web/aliases/nope/artifact", null, null), 404,
				"pipeline 'web' has no alias 'nope'");
		// an impossible date names its field
		assertProblem(send("POST", "/api/pipelines/web/runs", "application/json", "{\"asOf\":\"2026-02-30\"}"), 400,
				"asOf");
		// the problem of a refused path names that path, not the error page
		JsonNode dots = assertProblem(send("GET", "/api/models/%2e%2e/versions", null, null), 400, null);
		assertThat(dots.path("instance").asString()).isNotEqualTo("/error");
	}

	@Test
	void validateIsADryRunThatListsEveryBadField() throws Exception {
		String good = PipelineFixtures.yaml("dry", "dry", GOOD_MODEL, "");
		HttpResponse<String> ok = send("POST", "/api/pipelines/validate", "application/yaml", good);
		assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
		assertThat(json(ok).get("name").asString()).isEqualTo("dry");

		HttpResponse<String> bad = send("POST", "/api/pipelines/validate", "application/yaml",
				good.replace("  epochs: 6", "  epochs: 0").replace("window-days: 20", "window-days: zero"));
		assertProblem(bad, 422, "window-days");
		HttpResponse<String> bad2 = send("POST", "/api/pipelines/validate", "application/yaml",
				good.replace("  epochs: 6", "  epochs: 0").replace("learning-rate: 0.01", "learning-rate: -2"));
		JsonNode problem = assertProblem(bad2, 422, "model.epochs");
		assertThat(problem.get("problems").valueStream().map(p -> p.get("field").asString()).toList())
			.containsExactlyInAnyOrder("model.epochs", "model.learning-rate");
		assertThat(send("GET", "/api/pipelines", null, null).body()).doesNotContain("\"dry\"");
	}

	@Test
	void healthAndOpenApiAreServed() throws Exception {
		assertThat(send("GET", "/actuator/health", null, null).statusCode()).isEqualTo(200);
		HttpResponse<String> consistency = send("GET", "/api/admin/consistency", null, null);
		assertThat(consistency.statusCode()).as(consistency.body()).isEqualTo(200);
		assertThat(json(consistency).get("disagreements").isArray()).isTrue();
		HttpResponse<String> docs = send("GET", "/v3/api-docs", null, null);
		assertThat(docs.statusCode()).isEqualTo(200);
		assertThat(docs.body()).contains("/api/pipelines/{name}/runs")
			.contains("/api/models/{name}/versions/{version}");
	}

	private static JsonNode assertProblem(HttpResponse<String> r, int status, String detailContains) {
		assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
		assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
		JsonNode body = json(r);
		assertThat(body.get("status").asInt()).isEqualTo(status);
		assertThat(r.body()).doesNotContain("at dev.retrain").doesNotContain("Exception:");
		if (detailContains != null) {
			assertThat(body.get("detail").asString()).contains(detailContains);
		}
		return body;
	}

}

package dev.retrain.orchestrator;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.models.json.Json;
import dev.retrain.orchestrator.api.OpenApiConfiguration;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The served OpenAPI document: named and versioned; every operation tagged by feature,
 * secured by Basic or API key with its role stated (or explicitly open), and with at
 * least one response example; and the stated role is the one the server enforces: for
 * every operation, the role just below it is refused with 403 and no credentials with
 * 401.
 */
class OpenApiDocumentTests extends OrchestratorTestSupport {

	@BeforeAll
	static void pipelines(ApplicationContext context) {
		definePipeline(context, "documented", PipelineFixtures.yaml("documented", "nowhere", GOOD_MODEL, ""));
	}

	JsonNode api;

	@BeforeEach
	void read() throws Exception {
		HttpResponse<String> docs = ApiClient.anonymous(this.port).get("/v3/api-docs");
		assertThat(docs.statusCode()).as("the document is open").isEqualTo(200);
		this.api = Json.MAPPER.readTree(docs.body());
	}

	/** Every operation: method, path and its node. */
	private List<Object[]> operations() {
		List<Object[]> ops = new ArrayList<>();
		for (Map.Entry<String, JsonNode> path : this.api.get("paths").properties()) {
			for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
				ops.add(new Object[] { op.getKey().toUpperCase(), path.getKey(), op.getValue() });
			}
		}
		return ops;
	}

	@Test
	void theDocumentIsNamedVersionedAndDeclaresBasicAndApiKeySchemes() {
		JsonNode info = this.api.get("info");
		assertThat(info.get("title").asString()).isEqualTo("Retrain orchestrator API");
		assertThat(info.get("version").asString()).isNotIn("v0", "dev").matches("\\d+\\.\\d+\\.\\d+.*");
		assertThat(info.get("description").asString()).contains("X-API-Key").contains("problem details");
		JsonNode schemes = this.api.at("/components/securitySchemes");
		assertThat(schemes.at("/basicAuth/type").asString()).isEqualTo("http");
		assertThat(schemes.at("/basicAuth/scheme").asString()).isEqualTo("basic");
		assertThat(schemes.at("/apiKey/type").asString()).isEqualTo("apiKey");
		assertThat(schemes.at("/apiKey/in").asString()).isEqualTo("header");
		assertThat(schemes.at("/apiKey/name").asString()).isEqualTo("X-API-Key");
		assertThat(this.api.get("tags").valueStream().map(t -> t.get("name").asString()))
			.containsExactlyElementsOf(OpenApiConfiguration.TAGS.keySet());
	}

	@Test
	void everyOperationIsTaggedByFeatureSecuredWithItsRoleOrOpenAndHasAResponseExample() {
		Set<String> tags = OpenApiConfiguration.TAGS.keySet();
		List<Object[]> ops = operations();
		assertThat(ops).hasSizeGreaterThan(35);
		for (Object[] o : ops) {
			String name = o[0] + " " + o[1];
			JsonNode op = (JsonNode) o[2];
			assertThat(op.get("tags").valueStream().map(JsonNode::asString).toList()).as(name)
				.isNotEmpty()
				.allSatisfy(t -> assertThat(tags).as(name).contains(t));
			JsonNode security = op.get("security");
			assertThat(security).as(name + ": security stated").isNotNull();
			if (security.isEmpty()) {
				assertThat(op.get("description").asString()).as(name).contains("**Open:**");
			}
			else {
				assertThat(security.valueStream().flatMap(s -> s.propertyNames().stream()).toList()).as(name)
					.containsExactlyInAnyOrder("basicAuth", "apiKey");
				assertThat(op.get("description").asString()).as(name)
					.containsPattern("\\*\\*Role:\\*\\* `(viewer|operator|admin)`");
				assertThat(op.at("/responses/401")).as(name).isNotNull();
				assertThat(op.at("/responses/403").isMissingNode()).as(name).isFalse();
			}
			long examples = op.get("responses")
				.valueStream()
				.flatMap(r -> r.path("content").valueStream())
				.filter(m -> m.has("examples") || m.has("example"))
				.count();
			assertThat(examples).as(name + ": response examples").isGreaterThan(0);
		}
	}

	@Test
	void theMainOperationsHaveASuccessExampleAndEvery4xxAProblemDetail() {
		for (String[] main : new String[][] { { "post", "/api/pipelines/{name}/runs", "202" },
				{ "get", "/api/runs/{id}", "200" }, { "get", "/api/models/{name}/versions", "200" },
				{ "post", "/api/models/{name}/promote", "200" }, { "post", "/api/models/{name}/rollback", "200" },
				{ "get", "/api/pipelines/{name}/drift", "200" }, { "post", "/api/drift-events", "202" } }) {
			JsonNode example = this.api.get("paths")
				.get(main[1])
				.get(main[0])
				.at("/responses/" + main[2] + "/content")
				.valueStream()
				.findFirst()
				.orElseThrow()
				.at("/examples/example/value");
			assertThat(example.isMissingNode()).as(main[0] + " " + main[1]).isFalse();
		}
		for (Object[] o : operations()) {
			((JsonNode) o[2]).get("responses").properties().forEach(r -> {
				if (r.getKey().startsWith("4")) {
					JsonNode value = r.getValue()
						.path("content")
						.valueStream()
						.findFirst()
						.map(m -> m.at("/examples/example/value"))
						.orElseThrow(
								() -> new AssertionError(o[0] + " " + o[1] + " " + r.getKey() + " has no content"));
					assertThat(value.get("status").asInt()).as(o[0] + " " + o[1])
						.isEqualTo(Integer.parseInt(r.getKey()));
					assertThat(value.get("type").asString()).startsWith("https://retrain.dev/problems/");
				}
			});
		}
	}

	@Test
	void theStatedRoleIsTheOneTheServerEnforces() throws Exception {
		Map<String, String> below = Map.of("operator", ApiClient.VIEWER, "admin", ApiClient.OPERATOR);
		int checked = 0;
		for (Object[] o : operations()) {
			String method = (String) o[0];
			String path = ((String) o[1]).replaceAll("\\{[^/}]+}", "documented").replace("/runs/documented", "/runs/1");
			String description = ((JsonNode) o[2]).get("description").asString();
			if (description.contains("**Open:**")) {
				continue;
			}
			String role = description.replaceAll("(?s).*\\*\\*Role:\\*\\* `([a-z]+)`.*", "$1");
			String body = method.equals("GET") || method.equals("DELETE") ? null : "{}";
			String type = (body != null) ? "application/json" : null;
			HttpResponse<String> anonymous = ApiClient.anonymous(this.port).send(method, path, type, body);
			assertThat(anonymous.statusCode()).as(method + " " + path + " without credentials").isEqualTo(401);
			if (below.containsKey(role)) {
				HttpResponse<String> lower = ApiClient.as(this.port, below.get(role)).send(method, path, type, body);
				assertThat(lower.statusCode())
					.as(method + " " + path + " as " + below.get(role) + " (needs " + role + ")")
					.isEqualTo(403);
				checked++;
			}
		}
		assertThat(checked).as("operations above viewer").isGreaterThan(15);
	}

	@Test
	void tryItOutSendsAnEmptyBodyAndTheDocumentedExamplesAreNamedNotPreFilled() {
		int bodies = 0;
		for (Object[] o : operations()) {
			JsonNode json = ((JsonNode) o[2]).at("/requestBody/content/application~1json");
			if (json.isMissingNode()) {
				continue;
			}
			String name = o[0] + " " + o[1];
			assertThat(json.has("example")).as(name + ": a pre-filled example").isFalse();
			JsonNode examples = json.path("examples");
			if (!examples.isMissingNode()) {
				bodies++;
				// Swagger UI fills in the first named example: the empty body
				var first = examples.properties().iterator().next();
				assertThat(first.getKey()).as(name).isEqualTo("empty");
				assertThat(first.getValue().get("value").isEmpty()).as(name).isTrue();
				assertThat(examples.has("documented")).as(name + ": the documented example is kept").isTrue();
			}
		}
		assertThat(bodies).as("request bodies with a documented example").isGreaterThanOrEqualTo(8);
		// a made-up date would start a run that fails, or a check with no data
		for (String body : new String[] { "/api/pipelines/{name}/runs", "/api/pipelines/{name}/drift-checks" }) {
			JsonNode json = this.api
				.at("/paths/" + body.replace("/", "~1") + "/post/requestBody/content/application~1json");
			assertThat(json.at("/examples/empty/value").isEmpty()).as(body).isTrue();
			assertThat(json.at("/examples/documented/value/asOf").asString()).as(body).isEqualTo("2024-03-20");
		}
		this.api.at("/components/schemas")
			.properties()
			.forEach(s -> assertThat(s.getValue().has("example"))
				.as(s.getKey() + ": a schema example Swagger UI fills in")
				.isFalse());
	}

}

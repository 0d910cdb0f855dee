package dev.retrain.orchestrator;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.models.json.Json;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Walks every operation of the served OpenAPI document and sends hostile values for each
 * path, query and body field (boundaries, overflows, wrong types, encodings, long
 * strings, unicode, nulls), mostly as admin (the role that reaches deepest), and as
 * operator, viewer and anonymous caller, bounded in count. Never a 5xx; every 4xx a
 * problem detail without Java class names, stack traces or server paths.
 */
class HostileInputIT extends OrchestratorTestSupport {

	@BeforeAll
	static void pipelines(ApplicationContext context) {
		// a pipeline whose data does not exist: a run that does start fails at once
		definePipeline(context, "fuzz", PipelineFixtures.yaml("fuzz", "nowhere", GOOD_MODEL, ""));
	}

	private static final String LONG = "x".repeat(5000);

	/**
	 * Path and query values: empty, long, traversal, encoded specials, unicode, numbers
	 * out of range.
	 */
	private static final List<String> TEXT = List.of("", " ", LONG, "../../etc/passwd", "a/b", "a\\b", "%00", "\u0000",
			"\uD83D\uDCA5\u202E", "null", "-1", "0", "4294968", "42949673", "2147483648", "-9223372036854775809",
			"1e309", "NaN", "1.5", "+99999-01-01", "2024-13-45", "<script>", "fuzz", "champion");

	/** Body field values of every JSON type, and the boundaries of each. */
	private static final List<String> JSON_VALUES = List.of("null", "\"\"", "\"" + LONG + "\"", "-1", "0", "2147483648",
			"-9223372036854775809", "1e309", "1.5", "true", "[]", "{}", "\"\\u0000\"", "\"\uD83D\uDCA5\"",
			"\"+99999-01-01\"", "\"2024-13-45\"", "12345", "\"fuzz\"");

	private static final List<String> BODIES = List.of("", "{}", "[]", "null", "\"text\"", "{", "{\"a\":",
			"{\"unknown\":1}", "[" + "[".repeat(2000) + "]".repeat(2001));

	private static final int MAX_PER_OPERATION = 400;

	record Call(String method, String path, String body, int status, String contentType, String excerpt) {
	}

	@Test
	void noInputAnswers5xxAndEveryRefusalIsAProblemDetail() throws Exception {
		ApiClient admin = ApiClient.apiKey(this.port, ADMIN_API_KEY);
		ApiClient viewer = ApiClient.as(this.port, ApiClient.VIEWER);
		ApiClient operator = ApiClient.apiKey(this.port, ApiClient.API_KEY);
		ApiClient anonymous = ApiClient.anonymous(this.port);
		Map<Integer, Integer> statuses = new java.util.TreeMap<>();
		JsonNode api = Json.MAPPER.readTree(admin.get("/v3/api-docs").body());
		JsonNode schemas = api.path("components").path("schemas");
		List<Call> bad = new ArrayList<>();
		int sent = 0;
		for (Map.Entry<String, JsonNode> path : api.get("paths").properties()) {
			for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
				String method = op.getKey().toUpperCase();
				List<String[]> requests = requests(path.getKey(), op.getValue(), schemas);
				for (int i = 0; i < requests.size() && i < MAX_PER_OPERATION; i++) {
					String[] r = requests.get(i);
					// mostly admin (reaches deepest), every role now and then
					ApiClient as = switch (i % 25) {
						case 3 -> viewer;
						case 7, 19 -> operator;
						case 11 -> anonymous;
						default -> admin;
					};
					HttpResponse<String> response = as.send(method, r[0], r[2], r[1]);
					statuses.merge(response.statusCode(), 1, Integer::sum);
					sent++;
					check(method, r[0], r[1], response, bad);
				}
			}
		}
		System.out.println("hostile requests: " + sent + ", by status: " + statuses);
		assertThat(sent).as("requests sent").isGreaterThan(500);
		assertThat(statuses.keySet()).as("statuses seen: %s", statuses).anyMatch(status -> status >= 400);
		assertThat(bad).as(bad.size() + " of " + sent + " hostile requests answered badly; statuses " + statuses)
			.isEmpty();
	}

	/**
	 * Policy files are bodies within a body: every hostile text as a policy's name is
	 * refused naming {@code policies[0].name} (or, where it is a fine name, taken), and
	 * nothing is written outside the backtests' directory.
	 */
	@Test
	void hostilePolicyNamesAreRefusedAndWriteNothingOutside() throws Exception {
		ApiClient admin = ApiClient.apiKey(this.port, ADMIN_API_KEY);
		List<Call> bad = new ArrayList<>();
		List<String> names = new ArrayList<>(TEXT);
		names.addAll(List.of("../../../../x/escaped", "..", ".", "a/../../b", "/abs", "..\\..\\w", ".hidden"));
		for (String name : names) {
			boolean fine = dev.retrain.models.files.PathSegment.isKey(name);
			if (fine) {
				continue;
			}
			String policies = "policies:\n  - {name: " + Json.MAPPER.writeValueAsString(name) + ", type: never}\n";
			String body = Json.MAPPER.writeValueAsString(Map.of("pipeline", "fuzz", "policies", policies));
			HttpResponse<String> r = admin.send("POST", "/api/backtests", "application/json", body);
			check("POST", "/api/backtests", body, r, bad);
			if (r.statusCode() != 400 || !r.body().contains("policies[0].name")) {
				bad.add(new Call("POST", "/api/backtests", body, r.statusCode(), "", r.body()));
			}
		}
		assertThat(bad).isEmpty();
		// where ../../../../x/escaped led from <data>/backtests/<id>/sandboxes
		assertThat(Path.of("/x/escaped")).doesNotExist();
	}

	/** [path with query, body, content type] for one operation. */
	private static List<String[]> requests(String template, JsonNode op, JsonNode schemas) {
		Map<String, String> pathParams = new LinkedHashMap<>();
		List<String> queryParams = new ArrayList<>();
		for (JsonNode p : op.path("parameters")) {
			String in = p.path("in").asString();
			String name = p.path("name").asString();
			if (in.equals("path")) {
				pathParams.put(name, example(p.path("schema")));
			}
			else if (in.equals("query")) {
				queryParams.add(name);
			}
		}
		String contentType = null;
		JsonNode bodySchema = null;
		for (Map.Entry<String, JsonNode> c : op.path("requestBody").path("content").properties()) {
			contentType = c.getKey();
			bodySchema = resolve(c.getValue().path("schema"), schemas);
		}
		String validBody = (bodySchema != null) ? validBody(bodySchema, schemas) : null;
		List<String[]> out = new ArrayList<>();
		for (String name : pathParams.keySet()) {
			for (String v : TEXT) {
				Map<String, String> values = new LinkedHashMap<>(pathParams);
				values.put(name, v);
				out.add(new String[] { fill(template, values), validBody, contentType });
			}
		}
		for (String q : queryParams) {
			for (String v : TEXT) {
				out.add(new String[] { fill(template, pathParams) + "?" + q + "=" + enc(v), validBody, contentType });
			}
		}
		if (bodySchema != null) {
			String base = fill(template, pathParams);
			for (String b : BODIES) {
				out.add(new String[] { base, b, contentType });
			}
			if (bodySchema.has("properties")) {
				for (Map.Entry<String, JsonNode> prop : bodySchema.get("properties").properties()) {
					for (String v : JSON_VALUES) {
						ObjectNode body = (ObjectNode) Json.MAPPER.readTree(validBody);
						body.set(prop.getKey(), Json.MAPPER.readTree(v.equals("1e309") ? "1e300" : v));
						String text = Json.MAPPER.writeValueAsString(body);
						if (v.equals("1e309")) {
							text = text.replace("1.0E300", "1e309");
						}
						out.add(new String[] { base, text, contentType });
					}
				}
			}
		}
		if (out.isEmpty()) {
			out.add(new String[] { fill(template, pathParams), validBody, contentType });
		}
		return out;
	}

	private static JsonNode resolve(JsonNode schema, JsonNode schemas) {
		String ref = schema.path("$ref").asString("");
		return ref.isEmpty() ? schema : schemas.path(ref.substring(ref.lastIndexOf('/') + 1));
	}

	private static String example(JsonNode schema) {
		return switch (schema.path("type").asString("")) {
			case "integer", "number" -> "1";
			default -> "fuzz";
		};
	}

	/** A body that binds: each property a plausible value of its type. */
	private static String validBody(JsonNode schema, JsonNode schemas) {
		if (!schema.has("properties")) {
			return schema.path("type").asString("").equals("string") ? "name: fuzz\n" : "{}";
		}
		ObjectNode body = Json.MAPPER.createObjectNode();
		for (Map.Entry<String, JsonNode> p : schema.get("properties").properties()) {
			JsonNode s = resolve(p.getValue(), schemas);
			switch (s.path("type").asString("")) {
				case "integer", "number" -> body.put(p.getKey(), 1);
				case "boolean" -> body.put(p.getKey(), false);
				case "array" -> body.set(p.getKey(), Json.MAPPER.createArrayNode());
				case "object" -> body.set(p.getKey(), Json.MAPPER.createObjectNode());
				default -> body.put(p.getKey(), "fuzz");
			}
		}
		return Json.MAPPER.writeValueAsString(body);
	}

	private static String fill(String template, Map<String, String> values) {
		String path = template;
		for (Map.Entry<String, String> v : values.entrySet()) {
			path = path.replace("{" + v.getKey() + "}", enc(v.getValue()));
		}
		return path;
	}

	private static String enc(String v) {
		return URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20");
	}

	private static void check(String method, String path, String body, HttpResponse<String> r, List<Call> bad) {
		String type = r.headers().firstValue("Content-Type").orElse("");
		String text = r.body();
		boolean ok = r.statusCode() < 500;
		if (r.statusCode() >= 400) {
			ok &= type.startsWith("application/problem+json");
			ok &= !text.contains("java.") && !text.contains("Exception") && !text.contains("at dev.retrain")
					&& !text.contains(DATA_DIR.toAbsolutePath().toString());
		}
		if (!ok) {
			bad.add(new Call(method, (path.length() > 200) ? path.substring(0, 200) + "…" : path,
					(body != null && body.length() > 200) ? body.substring(0, 200) + "…" : body, r.statusCode(), type,
					(text.length() > 300) ? text.substring(0, 300) + "…" : text));
		}
	}

}

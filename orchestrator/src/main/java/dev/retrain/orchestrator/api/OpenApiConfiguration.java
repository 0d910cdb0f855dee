package dev.retrain.orchestrator.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.tags.Tag;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.retrain.models.json.Json;
import dev.retrain.orchestrator.security.ApiAccess;

/**
 * The OpenAPI document: title, description and the build's version; operations tagged by
 * feature; HTTP Basic and the {@code X-API-Key} header as security schemes, with the role
 * each operation needs taken from {@link ApiAccess} (the table the security filter chain
 * is built from); a problem-detail example for every 4xx an operation can answer, and
 * examples of the main operations' answers ({@code openapi/examples.json}).
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

	/** The tags, in the order Swagger UI shows them. */
	public static final Map<String, String> TAGS = tags();

	static final String BASIC = "basicAuth";

	static final String API_KEY = "apiKey";

	private static final String PROBLEM = "application/problem+json";

	private static Map<String, String> tags() {
		Map<String, String> t = new LinkedHashMap<>();
		t.put("pipelines", "Pipeline definitions: list, read, validate a file, reload, launch a run");
		t.put("runs", "Retrain runs: status, steps, details, stop and restart");
		t.put("models", "The model registry: versions, champion, promotion, rollback, review, aliases, retention");
		t.put("drift", "Drift checks, their reports, and drift events from checks and external monitors");
		t.put("schedules", "Quartz schedules: list, pause, resume, trigger now");
		t.put("scoring", "Batch scoring of a date with the champion or a named version");
		t.put("backtests", "Replaying retraining policies over history");
		t.put("audit", "Who did what, and why");
		t.put("admin", "Store and registry consistency");
		return t;
	}

	@Bean
	OpenAPI retrainOpenApi(ObjectProvider<BuildProperties> build) {
		String version = Optional.ofNullable(build.getIfAvailable()).map(BuildProperties::getVersion).orElse("dev");
		OpenAPI api = new OpenAPI()
			.info(new Info().title("Retrain orchestrator API")
				.version(version)
				.license(new License().name("Apache-2.0"))
				.description("""
						Retrains models when their data drifts or on schedule, evaluates candidate against champion on \
						the same holdout, and promotes the winner into a versioned model store.

						**Authentication.** Every operation but the open ones needs HTTP Basic (a configured user) or \
						an `X-API-Key` header (a configured key). Use *Authorize* with either. Roles nest: `admin` \
						includes `operator`, which includes `viewer`; each operation's description names the least \
						role it needs. Failed logins are throttled: after repeated failures for a user from one \
						address, or from one address, further attempts get 429 with `Retry-After` until the lock \
						expires.

						**Errors** are RFC 9457 problem details (`application/problem+json`): `title`, `status`, \
						`detail` and, for a bad field, `field`."""))
			.components(new Components()
				.addSecuritySchemes(BASIC,
						new SecurityScheme().type(SecurityScheme.Type.HTTP)
							.scheme("basic")
							.description("A user of retrain.security.users"))
				.addSecuritySchemes(API_KEY,
						new SecurityScheme().type(SecurityScheme.Type.APIKEY)
							.in(SecurityScheme.In.HEADER)
							.name("X-API-Key")
							.description("A key of retrain.security.api-keys")));
		TAGS.forEach((name, description) -> api.addTagsItem(new Tag().name(name).description(description)));
		return api;
	}

	/**
	 * Per operation: its security (or an explicit none), the role in its description, the
	 * 401/403 a secured operation can answer, and examples.
	 */
	@Bean
	OpenApiCustomizer rolesAndExamples() {
		Map<String, Map<String, Object>> examples = examples();
		return api -> {
			if (api.getPaths() == null) {
				return;
			}
			api.getPaths().forEach((path, item) -> {
				for (Map.Entry<PathItem.HttpMethod, Operation> e : item.readOperationsMap().entrySet()) {
					String method = e.getKey().name();
					describe(method, path, e.getValue(), examples.get(method + " " + path));
					requestExamples(api, e.getValue());
				}
			});
			if (api.getComponents() != null && api.getComponents().getSchemas() != null) {
				api.getComponents().getSchemas().values().forEach(s -> {
					if (s.getExample() != null && s.getProperties() != null) {
						s.setExample(null);
						s.setExampleSetFlag(false);
					}
				});
			}
		};
	}

	/**
	 * A JSON request body's documented example becomes a named example that is not
	 * pre-filled: Swagger UI's "Try it out" fills in the first named example, which is
	 * the empty body, so that trying an operation sends nothing made up (a date that has
	 * no data on the user's server would start a run that fails, or a check with no
	 * data). The record's schema keeps no example of its own, which Swagger UI would
	 * otherwise fill in (removed once every operation has taken its example).
	 */
	private static void requestExamples(OpenAPI api, Operation op) {
		if (op.getRequestBody() == null || op.getRequestBody().getContent() == null) {
			return;
		}
		MediaType media = op.getRequestBody().getContent().get("application/json");
		if (media == null || media.getSchema() == null || media.getSchema().get$ref() == null) {
			return;
		}
		String ref = media.getSchema().get$ref();
		Schema<?> schema = (api.getComponents() != null && api.getComponents().getSchemas() != null)
				? api.getComponents().getSchemas().get(ref.substring(ref.lastIndexOf('/') + 1)) : null;
		Object documented = (schema != null) ? schema.getExample() : null;
		if (documented == null) {
			return;
		}
		if (documented instanceof String json) {
			documented = Json.MAPPER.readValue(json, Map.class);
		}
		boolean optional = !Boolean.TRUE.equals(op.getRequestBody().getRequired());
		Map<String, Example> named = new LinkedHashMap<>();
		named.put("empty", new Example().value(Map.of())
			.summary(optional ? "Empty: every field takes its default" : "Empty: fill in the fields you need")
			.description(optional ? "Sends `{}`: the server picks the defaults (for a date, the newest day of data)."
					: "Sends `{}`; the server answers 400 and names each missing field."));
		named.put("documented",
				new Example().value(documented)
					.summary("Documented example: replace its values with ones your server has")
					.description("Every field, with made-up values: dates, versions and names must be ones your "
							+ "server has, or the request is refused or its run fails."));
		media.setExample(null);
		media.setExampleSetFlag(false);
		media.setExamples(named);
	}

	private static void describe(String method, String path, Operation op, Map<String, Object> examples) {
		String role = ApiAccess.roleFor(method, path).orElse(null);
		ApiResponses responses = (op.getResponses() != null) ? op.getResponses() : new ApiResponses();
		op.setResponses(responses);
		String who;
		if (role == null || ApiAccess.OPEN.equals(role)) {
			op.setSecurity(List.of());
			who = "**Open:** no credentials needed.";
		}
		else {
			op.setSecurity(
					List.of(new SecurityRequirement().addList(BASIC), new SecurityRequirement().addList(API_KEY)));
			who = "**Role:** `" + role + "`" + switch (role) {
				case "viewer" -> " (or operator, admin).";
				case "operator" -> " (or admin).";
				default -> ".";
			};
			responses.putIfAbsent("401", new ApiResponse().description("No or wrong credentials"));
			responses.putIfAbsent("403", new ApiResponse().description("The caller's role is below " + role));
			responses.putIfAbsent("429", new ApiResponse()
				.description("Too many failed logins of this user from this address, or from this address: "
						+ "credentials are not checked until the lock expires")
				.addHeaderObject("Retry-After",
						new Header().description("Seconds until the lock expires").schema(new IntegerSchema())));
		}
		op.setDescription((op.getDescription() != null && !op.getDescription().isBlank())
				? op.getDescription() + "\n\n" + who : who);
		responses.forEach((status, response) -> {
			if (status.startsWith("4")) {
				Object problem = problem(status, path);
				if (problem != null) {
					example(response, PROBLEM, problem);
				}
			}
		});
		if (examples != null) {
			examples.forEach((status, value) -> {
				ApiResponse r = responses.get(status);
				if (r == null) {
					r = new ApiResponse().description("OK");
					responses.put(status, r);
				}
				example(r, "application/json", value);
			});
		}
	}

	/** Sets {@code value} as the example of {@code response} in {@code type}. */
	private static void example(ApiResponse response, String type, Object value) {
		Content content = (response.getContent() != null) ? response.getContent() : new Content();
		response.setContent(content);
		// springdoc declares the advice's answers as */*; one media type per answer is
		// enough
		MediaType media = content.values().stream().findFirst().orElse(null);
		if (media == null) {
			media = new MediaType();
			content.addMediaType(type, media);
		}
		media.setExamples(null);
		media.addExamples("example", new Example().value(value));
	}

	/**
	 * A problem detail as the API answers {@code status} (the types and titles of
	 * ProblemDetailsAdvice and the security handlers), or null for others.
	 */
	static Map<String, Object> problem(String status, String path) {
		String instance = path.replace("{name}", "churn").replace("{pipeline}", "churn").replace("{id}", "42");
		Map<String, Object> p = new LinkedHashMap<>();
		switch (status) {
			case "400" -> {
				fill(p, "invalid-request", "Invalid request", 400, "field 'reason': must not be blank", instance);
				p.put("problems", List.of(Map.of("field", "reason", "reason", "must not be blank")));
			}
			case "401" -> fill(p, "unauthorized", "Unauthorized", 401,
					"credentials are missing or wrong: use HTTP Basic or the X-API-Key header", instance);
			case "403" -> fill(p, "forbidden", "Forbidden", 403, "your role does not allow this", instance);
			case "404" -> fill(p, "not-found", "Not found", 404, "pipeline 'churn' not found", instance);
			case "409" -> {
				fill(p, "promotion-conflict", "Stale compare-and-set", 409,
						"the champion of 'churn' is v5, not v4 as expected", instance);
				p.put("current", 5);
			}
			case "413" -> fill(p, "payload-too-large", "Payload too large", 413,
					"the request body is larger than the limit", instance);
			case "429" -> fill(p, "login-throttled", "Too many failed logins", 429,
					"too many failed logins for this user from your address: try again in 15 s", instance);
			case "422" -> {
				fill(p, "invalid-pipeline", "Invalid pipeline definition", 422,
						"model.learning-rate: must be greater than 0", instance);
				p.put("problems", List.of(Map.of("field", "model.learning-rate", "reason", "must be greater than 0")));
			}
			default -> {
				return null;
			}
		}
		return p;
	}

	private static void fill(Map<String, Object> p, String type, String title, int status, String detail,
			String instance) {
		p.put("type", "https://retrain.dev/problems/" + type);
		p.put("title", title);
		p.put("status", status);
		p.put("detail", detail);
		p.put("instance", instance);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Map<String, Object>> examples() {
		try (InputStream in = OpenApiConfiguration.class.getResourceAsStream("/openapi/examples.json")) {
			return Json.MAPPER.readValue(in, Map.class);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read openapi/examples.json", ex);
		}
	}

}

package dev.retrain.orchestrator;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;

import dev.retrain.models.json.Json;
import dev.retrain.orchestrator.security.Credentials;

/**
 * Real HTTP against the running application, as one of the test users (or anonymous, or
 * with an API key).
 */
final class ApiClient {

	static final String VIEWER = "viewer";

	static final String OPERATOR = "operator";

	static final String ADMIN = "admin";

	static final String API_KEY = "ci-key-5f0c2a";

	private static final HttpClient HTTP = HttpClient.newHttpClient();

	private final int port;

	private final String header;

	private final String value;

	private ApiClient(int port, String header, String value) {
		this.port = port;
		this.header = header;
		this.value = value;
	}

	static ApiClient as(int port, String user) {
		String basic = Base64.getEncoder().encodeToString((user + ":" + user + "-pw").getBytes(StandardCharsets.UTF_8));
		return new ApiClient(port, "Authorization", "Basic " + basic);
	}

	static ApiClient anonymous(int port) {
		return new ApiClient(port, null, null);
	}

	static ApiClient apiKey(int port, String key) {
		return new ApiClient(port, "X-API-Key", key);
	}

	/**
	 * Users viewer, operator and admin (password: name + "-pw", stored bcrypt-hashed) and
	 * an operator API key.
	 */
	static void users(DynamicPropertyRegistry registry) {
		String[] names = { VIEWER, OPERATOR, ADMIN };
		for (int i = 0; i < names.length; i++) {
			String name = names[i];
			registry.add("retrain.security.users[" + i + "].name", () -> name);
			registry.add("retrain.security.users[" + i + "].password", () -> Credentials.hashPassword(name + "-pw"));
			registry.add("retrain.security.users[" + i + "].roles[0]", () -> name);
		}
		registry.add("retrain.security.api-keys[0].name", () -> "ci");
		registry.add("retrain.security.api-keys[0].sha256", () -> Credentials.hashApiKey(API_KEY));
		registry.add("retrain.security.api-keys[0].roles[0]", () -> OPERATOR);
	}

	HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(60));
		if (this.header != null) {
			b.header(this.header, this.value);
		}
		if (contentType != null) {
			b.header("Content-Type", contentType);
		}
		b.method(method,
				(body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
	}

	HttpResponse<String> get(String path) throws Exception {
		return send("GET", path, null, null);
	}

	HttpResponse<String> post(String path, String json) throws Exception {
		return send("POST", path, (json != null) ? "application/json" : null, json);
	}

	static JsonNode json(HttpResponse<String> r) {
		return Json.MAPPER.readTree(r.body());
	}

}

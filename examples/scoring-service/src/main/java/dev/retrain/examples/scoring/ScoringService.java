package dev.retrain.examples.scoring;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.retrain.models.json.Json;
import dev.retrain.models.serving.Champion;
import dev.retrain.models.serving.Scored;

/**
 * A serving application that uses a pipeline's champion as a plain library (only the
 * {@code models} module, no Spring):
 * <ul>
 * <li>{@code POST /score} with {@code {"rows": [{"feature": value, ...}, ...]}} answers
 * every row's prediction and the version that made them all;</li>
 * <li>{@code POST /champion-moved} is where the orchestrator's promotion webhook goes
 * ({@code retrain.notifications.webhooks}): it makes the champion look now instead of at
 * the next poll. The body is not trusted: the call only asks the source (the API or the
 * store), which is the authority on what the champion is;</li>
 * <li>{@code GET /health} says which version serves, and why the last refresh failed if
 * it did.</li>
 * </ul>
 * Run it with {@code --source=} the orchestrator's base URL (with {@code --api-key=} or
 * {@code --user=} and {@code --password=} of a viewer) or the model store's directory or
 * {@code s3://} URI, and {@code --pipeline=}; {@code --port=} (8090) and
 * {@code --poll-seconds=} (30; 0: the webhook only).
 */
public final class ScoringService implements AutoCloseable {

	private final Champion champion;

	private final HttpServer server;

	private ScoringService(Champion champion, int port) throws IOException {
		this.champion = champion;
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
		this.server.setExecutor(Executors.newFixedThreadPool(4));
		this.server.createContext("/score", this::score);
		this.server.createContext("/champion-moved", this::moved);
		this.server.createContext("/health", this::health);
		this.server.start();
	}

	/** Starts serving {@code champion} on {@code port} (0: any free port). */
	public static ScoringService start(Champion champion, int port) throws IOException {
		return new ScoringService(champion, port);
	}

	public int port() {
		return this.server.getAddress().getPort();
	}

	private void score(HttpExchange exchange) throws IOException {
		if (!"POST".equals(exchange.getRequestMethod())) {
			answer(exchange, 405, Map.of("error", "POST rows to /score"));
			return;
		}
		List<Map<String, Object>> rows;
		try (InputStream in = exchange.getRequestBody()) {
			Map<?, ?> body = Json.MAPPER.readValue(in, Map.class);
			Object value = body.get("rows");
			if (!(value instanceof List<?> list)) {
				answer(exchange, 400, Map.of("error", "the body needs \"rows\": a list of objects"));
				return;
			}
			rows = new ArrayList<>();
			for (Object row : list) {
				if (!(row instanceof Map<?, ?> map)) {
					answer(exchange, 400, Map.of("error", "row " + rows.size() + " is not an object"));
					return;
				}
				Map<String, Object> typed = new LinkedHashMap<>();
				map.forEach((k, v) -> typed.put(String.valueOf(k), v));
				rows.add(typed);
			}
		}
		catch (RuntimeException ex) {
			answer(exchange, 400, Map.of("error", "the body is not JSON: " + ex.getMessage()));
			return;
		}
		try {
			List<Scored> scored = this.champion.score(rows);
			List<Map<String, Object>> predictions = new ArrayList<>();
			for (Scored s : scored) {
				Map<String, Object> p = new LinkedHashMap<>();
				p.put("score", s.score());
				p.put("label", s.label());
				p.put("probabilities", s.probabilities());
				predictions.add(p);
			}
			Map<String, Object> out = new LinkedHashMap<>();
			out.put("version", scored.isEmpty() ? this.champion.version() : scored.get(0).version());
			out.put("predictions", predictions);
			answer(exchange, 200, out);
		}
		catch (IllegalArgumentException ex) {
			answer(exchange, 400, Map.of("error", ex.getMessage()));
		}
	}

	private void moved(HttpExchange exchange) throws IOException {
		exchange.getRequestBody().readAllBytes();
		boolean swapped = this.champion.refresh();
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("version", this.champion.version());
		out.put("swapped", swapped);
		if (this.champion.lastError() != null) {
			out.put("error", this.champion.lastError());
		}
		answer(exchange, 200, out);
	}

	private void health(HttpExchange exchange) throws IOException {
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("pipeline", this.champion.metadata().pipeline());
		out.put("version", this.champion.version());
		out.put("lastError", this.champion.lastError());
		answer(exchange, 200, out);
	}

	private static void answer(HttpExchange exchange, int status, Object body) throws IOException {
		byte[] bytes = Json.MAPPER.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().set("Content-Type", "application/json");
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.champion.close();
	}

	public static void main(String[] args) throws IOException {
		Map<String, String> opts = new LinkedHashMap<>();
		for (String a : args) {
			if (!a.startsWith("--") || !a.contains("=")) {
				throw new IllegalArgumentException("arguments are --name=value, got '" + a + "'");
			}
			opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
		}
		String source = require(opts, "source");
		String pipeline = require(opts, "pipeline");
		int poll = Integer.parseInt(opts.getOrDefault("poll-seconds", "30"));
		Champion.Builder builder = Champion.builder(source, pipeline)
			.pollEvery((poll > 0) ? Duration.ofSeconds(poll) : null);
		if (opts.containsKey("api-key")) {
			builder.apiKey(opts.get("api-key"));
		}
		if (opts.containsKey("user")) {
			builder.basicAuth(opts.get("user"), opts.get("password"));
		}
		ScoringService service = start(builder.build(), Integer.parseInt(opts.getOrDefault("port", "8090")));
		Runtime.getRuntime().addShutdownHook(new Thread(service::close));
		System.out.println("serving the champion of " + pipeline + " (v" + service.champion.version() + ") on port "
				+ service.port());
	}

	private static String require(Map<String, String> opts, String name) {
		String v = opts.get(name);
		if (v == null || v.isBlank()) {
			throw new IllegalArgumentException("--" + name + " is required");
		}
		return v;
	}

}

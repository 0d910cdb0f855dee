package dev.retrain.examples.scoring;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.retrain.models.json.Json;
import dev.retrain.models.serving.Champion;
import dev.retrain.models.serving.TinyVersions;
import dev.retrain.models.store.ModelStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example service, over HTTP: it scores posted rows with the champion read from a
 * model store, names the version, refuses a bad row naming it, and serves the new
 * champion as soon as the promotion webhook arrives.
 */
class ScoringServiceTests {

	private Path dir;

	private ModelStore store;

	private ScoringService service;

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeEach
	void start() throws Exception {
		this.dir = Files.createTempDirectory("scoring-store");
		this.store = new ModelStore(this.dir);
		TinyVersions.write(this.store, "tiny", 1, false);
		this.store.writeAlias("tiny", "champion", 1);
		this.service = ScoringService.start(Champion.builder(this.dir.toString(), "tiny").pollEvery(null).build(), 0);
	}

	@AfterEach
	void stop() {
		this.service.close();
		ModelStore.deleteTree(this.dir);
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.service.port() + path))
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SuppressWarnings("unchecked")
	private static List<String> labels(String body) {
		Map<String, Object> m = Json.MAPPER.readValue(body, Map.class);
		return ((List<Map<String, Object>>) m.get("predictions")).stream().map(p -> (String) p.get("label")).toList();
	}

	@Test
	void scoresRowsAndServesTheNewChampionOnceTheWebhookArrives() throws Exception {
		String rows = "{\"rows\": [{\"x\": 3.0, \"c\": \"a\"}, {\"x\": -3.0, \"c\": \"b\"}]}";
		HttpResponse<String> first = post("/score", rows);
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		assertThat(Json.MAPPER.readTree(first.body()).get("version").asInt()).isEqualTo(1);
		assertThat(labels(first.body())).containsExactly("1", "0");

		// a retrain promotes v2 (trained on the flipped relation); the webhook says so
		TinyVersions.write(this.store, "tiny", 2, true);
		this.store.writeAlias("tiny", "champion", 2);
		HttpResponse<String> moved = post("/champion-moved", "{\"event\": \"promotion\", \"toVersion\": 2}");
		assertThat(Json.MAPPER.readTree(moved.body()).get("version").asInt()).isEqualTo(2);
		assertThat(Json.MAPPER.readTree(moved.body()).get("swapped").asBoolean()).isTrue();

		HttpResponse<String> second = post("/score", rows);
		assertThat(Json.MAPPER.readTree(second.body()).get("version").asInt()).isEqualTo(2);
		assertThat(labels(second.body())).containsExactly("0", "1");
		HttpResponse<String> health = this.http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.service.port() + "/health")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(Json.MAPPER.readTree(health.body()).get("pipeline").asString()).isEqualTo("tiny");
		assertThat(Json.MAPPER.readTree(health.body()).get("version").asInt()).isEqualTo(2);
	}

	@Test
	void aBadRowIsRefusedNamingRowAndFeature() throws Exception {
		HttpResponse<String> missing = post("/score", "{\"rows\": [{\"x\": 1.0, \"c\": \"a\"}, {\"x\": 1.0}]}");
		assertThat(missing.statusCode()).isEqualTo(400);
		assertThat(missing.body()).contains("row 1: feature 'c' is missing");
		HttpResponse<String> notJson = post("/score", "rows please");
		assertThat(notJson.statusCode()).isEqualTo(400);
		assertThat(notJson.body()).contains("not JSON");
	}

}

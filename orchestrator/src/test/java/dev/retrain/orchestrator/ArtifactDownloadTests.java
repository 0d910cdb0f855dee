package dev.retrain.orchestrator;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.RegistryOperations;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.dataset.Column;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.json.Json;
import dev.retrain.models.plugins.ModelPlugins;
import dev.retrain.models.plugins.PluginJars;
import dev.retrain.models.serving.Champion;
import dev.retrain.models.serving.Scored;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A version, or the version an alias points at, downloads as one zip (metadata with the
 * encoders, parameters, reference sample) whose SHA-256 is in a header and is its ETag,
 * the same bytes every time; a poller with If-None-Match gets 304 until the alias moves.
 */
class ArtifactDownloadTests extends OrchestratorTestSupport {

	@BeforeAll
	static void pipelines(ApplicationContext context) {
		sampleData("art", 150, 23);
		for (String name : List.of("art", "served", "tampered", "headed", "starred")) {
			definePipeline(context, name, PipelineFixtures.yaml(name, "art", GOOD_MODEL, ""));
		}
	}

	@Autowired
	RunLauncher launcher;

	@Autowired
	RunRecords runs;

	@Autowired
	ModelStore store;

	@Autowired
	ModelRegistry registry;

	@Autowired
	ApplicationContext context;

	@Autowired
	RegistryOperations operations;

	private final HttpClient http = HttpClient.newHttpClient();

	private HttpResponse<byte[]> get(String path, String ifNoneMatch) throws Exception {
		return send("GET", path, ifNoneMatch);
	}

	/** {@code method path} as a viewer. */
	private HttpResponse<byte[]> send(String method, String path, String ifNoneMatch) throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.method(method, HttpRequest.BodyPublishers.noBody())
			.header("Authorization", "Basic " + Base64.getEncoder()
				.encodeToString((ApiClient.VIEWER + ":" + ApiClient.VIEWER + "-pw").getBytes(StandardCharsets.UTF_8)));
		if (ifNoneMatch != null) {
			b.header("If-None-Match", ifNoneMatch);
		}
		return this.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private void runToEnd(String key) {
		runToEnd("art", key);
	}

	private void runToEnd(String pipeline, String key) {
		long id = this.launcher.launch(new RunLauncher.Request(pipeline, LAST, key, null, Trigger.MANUAL, "test"))
			.runId();
		await().atMost(java.time.Duration.ofMinutes(2))
			.until(() -> this.runs.find(id).map(r -> r.endedAt() != null).orElse(false));
		assertThat(this.runs.find(id).orElseThrow().status()).isEqualTo("COMPLETED");
	}

	private static List<String> entries(byte[] zip) throws Exception {
		List<String> names = new ArrayList<>();
		try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
			for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
				names.add(e.getName());
			}
		}
		return names;
	}

	private static byte[] entry(byte[] zip, String name) throws Exception {
		try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
			for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
				if (e.getName().equals(name)) {
					return in.readAllBytes();
				}
			}
		}
		throw new AssertionError("no " + name);
	}

	@Test
	void aVersionDownloadsAsOneArchiveNamedByItsHashAndAPollerGets304UntilTheAliasMoves() throws Exception {
		runToEnd("first");

		HttpResponse<byte[]> v1 = get("/api/models/art/versions/1/artifact", null);
		assertThat(v1.statusCode()).isEqualTo(200);
		assertThat(v1.headers().firstValue("Content-Type")).contains("application/zip");
		String sha = v1.headers().firstValue("X-Artifact-SHA256").orElseThrow();
		assertThat(sha).isEqualTo(FileHashes.sha256(v1.body()));
		assertThat(v1.headers().firstValue("ETag")).contains("\"" + sha + "\"");
		assertThat(entries(v1.body())).containsExactly("metadata.json", "model.params", "reference.parquet",
				"LOADING.txt");
		assertThat(new String(entry(v1.body(), "LOADING.txt"), java.nio.charset.StandardCharsets.UTF_8))
			.as("says what loading it needs")
			.contains("art v1: mlp")
			.contains("columns in this order:\n  tenure_days, tenure_days:missing,")
			.contains("DJL parameters");
		ArtifactMetadata meta = Json.MAPPER.readValue(entry(v1.body(), "metadata.json"), ArtifactMetadata.class);
		assertThat(meta.version()).isEqualTo(1);
		assertThat(meta.features()).isNotEmpty();
		// the files are the store's own, and the same version gives the same bytes
		assertThat(entry(v1.body(), "model.params"))
			.isEqualTo(Files.readAllBytes(this.store.versionDir("art", 1).resolve(ModelStore.PARAMS)));
		assertThat(get("/api/models/art/versions/1/artifact", null).body()).isEqualTo(v1.body());

		String etag = "\"" + sha + "\"";
		HttpResponse<byte[]> unchanged = get("/api/models/art/versions/1/artifact", etag);
		assertThat(unchanged.statusCode()).isEqualTo(304);
		assertThat(unchanged.body()).isEmpty();

		// the champion alias: the same archive, 304 for a poller while it stays
		HttpResponse<byte[]> champion = get("/api/models/art/aliases/champion/artifact", null);
		assertThat(champion.statusCode()).isEqualTo(200);
		assertThat(champion.headers().firstValue("X-Model-Version")).contains("1");
		assertThat(champion.headers().firstValue("X-Model-Requires")).contains("built-in mlp");
		assertThat(champion.body()).isEqualTo(v1.body());
		assertThat(get("/api/models/art/aliases/champion/artifact", etag).statusCode()).isEqualTo(304);

		// an alias moved to a new version: the poller's ETag no longer matches
		runToEnd("second");
		var moved = ApiClient.as(this.port, ApiClient.ADMIN)
			.send("PUT", "/api/models/art/aliases/canary", "application/json",
					"{\"version\":2,\"reason\":\"try v2 on 5% of traffic\"}");
		assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
		HttpResponse<byte[]> canary = get("/api/models/art/aliases/canary/artifact", etag);
		assertThat(canary.statusCode()).isEqualTo(200);
		assertThat(canary.headers().firstValue("X-Model-Version")).contains("2");
		assertThat(canary.headers().firstValue("ETag")).isNotEqualTo(etag);

		assertThat(get("/api/models/art/aliases/nope/artifact", null).statusCode()).isEqualTo(404);
		assertThat(get("/api/models/art/versions/99/artifact", null).statusCode()).isEqualTo(404);
		HttpResponse<byte[]> anonymous = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/api/models/art/versions/1/artifact"))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(anonymous.statusCode()).isEqualTo(401);
	}

	@Test
	void aViewerChecksTheEtagWithHeadAndGetsTheHeadersOfGetWithoutTheBody() throws Exception {
		runToEnd("headed", "once");

		for (String path : List.of("/api/models/headed/versions/1/artifact",
				"/api/models/headed/aliases/champion/artifact")) {
			HttpResponse<byte[]> get = get(path, null);
			HttpResponse<byte[]> head = send("HEAD", path, null);

			assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(200);
			assertThat(head.body()).isEmpty();
			for (String header : List.of("ETag", "X-Artifact-SHA256", "X-Model-Version", "Content-Type",
					"Content-Disposition", "Content-Length")) {
				assertThat(head.headers().firstValue(header)).as(header)
					.isPresent()
					.isEqualTo(get.headers().firstValue(header));
			}
			HttpResponse<byte[]> unchanged = send("HEAD", path, get.headers().firstValue("ETag").orElseThrow());
			assertThat(unchanged.statusCode()).isEqualTo(304);
			assertThat(unchanged.headers().firstValue("ETag")).isEqualTo(get.headers().firstValue("ETag"));
		}
		assertThat(send("HEAD", "/api/models/headed/versions/9/artifact", null).statusCode()).isEqualTo(404);
		HttpResponse<byte[]> anonymous = this.http.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/api/models/headed/versions/1/artifact"))
			.method("HEAD", HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofByteArray());
		assertThat(anonymous.statusCode()).isEqualTo(401);
	}

	@Test
	void ifNoneMatchStarAnswers304WhenTheArtifactExistsAnd404WhenItDoesNot() throws Exception {
		runToEnd("starred", "once");
		String etag = get("/api/models/starred/versions/1/artifact", null).headers().firstValue("ETag").orElseThrow();

		for (String path : List.of("/api/models/starred/versions/1/artifact",
				"/api/models/starred/aliases/champion/artifact")) {
			for (String method : List.of("GET", "HEAD")) {
				HttpResponse<byte[]> any = send(method, path, "*");
				assertThat(any.statusCode()).as(method + " " + path).isEqualTo(304);
				assertThat(any.body()).isEmpty();
				assertThat(any.headers().firstValue("ETag")).contains(etag);
			}
		}
		assertThat(send("GET", "/api/models/starred/versions/9/artifact", "*").statusCode()).isEqualTo(404);
		assertThat(send("GET", "/api/models/starred/aliases/nope/artifact", "*").statusCode()).isEqualTo(404);
		// a list with * in it is * too
		assertThat(send("GET", "/api/models/starred/versions/1/artifact", "\"other\", *").statusCode()).isEqualTo(304);
	}

	@Test
	void theChampionLibraryLoadsTheChampionFromTheApiAndSwapsWhenItMoves() throws Exception {
		runToEnd("served", "one");
		Map<String, Object> row = new HashMap<>(Map.of("tenure_days", 400.0, "monthly_spend", 20.0, "sessions", 3.0,
				"support_calls", 4.0, "plan", "basic", "region", "north"));
		try (Champion champion = Champion.builder("http://127.0.0.1:" + this.port, "served")
			.basicAuth(ApiClient.VIEWER, ApiClient.VIEWER + "-pw")
			.pollEvery(null)
			.build()) {
			assertThat(champion.version()).isEqualTo(1);
			Scored first = champion.score(row);
			assertThat(first.version()).isEqualTo(1);
			assertThat(first.label()).isIn("0", "1");
			try (ModelArtifact stored = this.store.load("served", 1)) {
				assertThat(first.score()).isEqualTo(stored.predict(tableOf(row)).scores()[0]);
			}
			// the champion has not moved: the poll gets 304 and nothing is loaded
			assertThat(champion.refresh()).isFalse();

			runToEnd("served", "two");
			if (this.registry.champion("served").orElseThrow() != 2) {
				this.operations.promote("served", 2, 1, "alice", "serve v2", true);
			}
			assertThat(champion.refresh()).isTrue();
			assertThat(champion.version()).isEqualTo(2);
			assertThat(champion.score(row).version()).isEqualTo(2);
		}
		// without credentials the API refuses, and the library says so
		assertThatThrownBy(() -> Champion.builder("http://127.0.0.1:" + this.port, "served").pollEvery(null).build())
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("answered 401");
	}

	private static Table tableOf(Map<String, Object> row) {
		Map<String, Column> columns = new LinkedHashMap<>();
		row.forEach((name, value) -> columns.put(name,
				(value instanceof Double d) ? new NumericColumn(name, new double[] { d }, new boolean[1])
						: new StringColumn(name, new String[] { (String) value })));
		return new Table(columns, 1, null, List.of());
	}

	@Test
	void aVersionWhoseFilesNoLongerMatchTheirHashesIsRefusedNotServed() throws Exception {
		runToEnd("tampered", "once");
		Files.write(this.store.versionDir("tampered", 1).resolve(ModelStore.PARAMS), new byte[] { 1, 2, 3 });

		HttpResponse<byte[]> refused = get("/api/models/tampered/versions/1/artifact", null);

		assertThat(refused.statusCode()).isEqualTo(409);
		assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("model.params");
	}

	@Test
	void aPluginsVersionSaysWhichPluginJarItNeedsAndTheClientRefusesItWithoutThatJar() throws Exception {
		Path dir = Files.createTempDirectory("plugins");
		Path jar = PluginJars.mlp(dir, "tiny-mlp", "1.0");
		ModelPlugins before = ModelPlugins.install(ModelPlugins.load(dir));
		try {
			definePipeline(this.context, "plugged", PipelineFixtures.yaml("plugged", "art", """
					family: tiny-mlp
					params: {width: 8}
					epochs: 2
					early-stopping:
					  patience: 0""", ""));
			runToEnd("plugged", "once");

			HttpResponse<byte[]> v1 = get("/api/models/plugged/versions/1/artifact", null);

			assertThat(v1.statusCode()).isEqualTo(200);
			assertThat(v1.headers().firstValue("X-Model-Requires"))
				.contains("plugin tiny-mlp version 1.0 from tiny-mlp-1.0.jar (SHA-256 " + FileHashes.sha256(jar) + ")");
			ModelPlugins.install(ModelPlugins.none());
			assertThatThrownBy(() -> Champion.builder("http://127.0.0.1:" + this.port, "plugged")
				.basicAuth(ApiClient.VIEWER, ApiClient.VIEWER + "-pw")
				.pollEvery(null)
				.build()).hasMessageContaining("needs plugin 'tiny-mlp' version 1.0 from tiny-mlp-1.0.jar");
		}
		finally {
			ModelPlugins.install(before);
			Files.deleteIfExists(CONFIG_DIR.resolve("plugged.yaml"));
			this.context.getBean(PipelineCatalog.class).reload();
		}
	}

}

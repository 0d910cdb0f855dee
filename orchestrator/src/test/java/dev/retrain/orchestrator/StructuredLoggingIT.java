package dev.retrain.orchestrator;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.models.json.Json;
import dev.retrain.orchestrator.security.Credentials;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.orchestrator.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With the one property {@code logging.structured.format.console=ecs}, every log line is
 * an Elastic Common Schema JSON object, and every line logged within a run, on the job's
 * thread and in its steps, carries the run id, the pipeline and (within a step) the step.
 * The application runs as a JVM of its own (H2, the embedded default), the property given
 * on its command line as an operator would: in a test's application context the logging
 * system is already set up before the test's properties arrive.
 */
class StructuredLoggingIT {

	static final TestDirs DIRS = TestDirs.create("structured-logs");

	static final String KEY = "structured-logs-key";

	static {
		PipelineFixtures.sampleData(DIRS.data(), "logged", 150, 21);
		PipelineFixtures.write(DIRS.configs(), "logged", PipelineFixtures.yaml("logged", "logged", GOOD_MODEL, ""));
	}

	@Test
	void everyLineOfARunIsJsonWithItsRunIdPipelineAndStep() throws Exception {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		Path log = DIRS.data().resolve("node.log");
		List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
				"-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
				RetrainApplication.class.getName(), "--logging.structured.format.console=ecs", "--server.port=" + port,
				"--retrain.data-dir=" + DIRS.data(), "--retrain.config-dir=" + DIRS.configs(),
				"--retrain.security.api-keys[0].name=logs",
				"--retrain.security.api-keys[0].sha256=" + Credentials.hashApiKey(KEY),
				"--retrain.security.api-keys[0].roles[0]=operator", "--spring.main.banner-mode=off");
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
		pb.environment().put("OMP_NUM_THREADS", "1");
		Process node = pb.start();
		try {
			ApiClient api = ApiClient.apiKey(port, KEY);
			await().atMost(Duration.ofMinutes(2))
				.ignoreExceptions()
				.until(() -> api.get("/actuator/health").statusCode() == 200);
			HttpResponse<String> launched = api.post("/api/pipelines/logged/runs", "{\"asOf\":\"" + LAST + "\"}");
			assertThat(launched.statusCode()).as(launched.body()).isEqualTo(202);
			String runId = json(launched).get("runId").asString();
			await().atMost(Duration.ofMinutes(2)).until(() -> Files.readString(log).contains("ended COMPLETED"));
			check(Files.readString(log), runId);
		}
		finally {
			node.destroy();
			node.waitFor();
		}
	}

	private static void check(String output, String runId) {
		List<JsonNode> lines = new ArrayList<>();
		for (String line : output.split("\n")) {
			if (line.isBlank()) {
				continue;
			}
			// PyTorch's native code writes a warning or two to stderr itself, outside
			// logging
			if (!line.startsWith("{")) {
				assertThat(line).as("a log line not in JSON").doesNotContainPattern("^\\d\\d:\\d\\d:\\d\\d");
				continue;
			}
			lines.add(Json.MAPPER.readTree(line));
		}
		assertThat(lines).hasSizeGreaterThan(10);
		assertThat(lines).allSatisfy(l -> assertThat(l.has("@timestamp") && l.at("/log/level").isString()
				&& l.at("/log/logger").isString() && l.has("message"))
			.as(l.toString())
			.isTrue());
		List<JsonNode> ofRun = lines.stream()
			.filter(l -> l.at("/log/logger").asString("").startsWith("dev.retrain.jobs.retrain"))
			.toList();
		assertThat(ofRun).extracting(l -> l.get("message").asString())
			.anySatisfy(m -> assertThat(m).startsWith("run " + runId + " of pipeline logged").endsWith("started"))
			.anySatisfy(m -> assertThat(m).startsWith("trained "))
			.anySatisfy(m -> assertThat(m).startsWith("decision PROMOTE"))
			.anySatisfy(m -> assertThat(m).contains("ended COMPLETED"));
		assertThat(ofRun).allSatisfy(l -> {
			assertThat(l.path("runId").asString()).as(l.toString()).isEqualTo(runId);
			assertThat(l.path("pipeline").asString()).as(l.toString()).isEqualTo("logged");
		});
		assertThat(ofRun).filteredOn(l -> l.get("message").asString().startsWith("trained "))
			.singleElement()
			.satisfies(l -> assertThat(l.path("step").asString()).isEqualTo("train"));
		assertThat(ofRun).filteredOn(l -> l.get("message").asString().startsWith("decision "))
			.singleElement()
			.satisfies(l -> assertThat(l.path("step").asString()).isEqualTo("decide"));
		// the job's own lines are outside any step
		assertThat(ofRun).filteredOn(l -> l.get("message").asString().contains("ended COMPLETED"))
			.singleElement()
			.satisfies(l -> assertThat(l.has("step")).isFalse());
	}

}

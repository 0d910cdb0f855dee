package dev.retrain.orchestrator;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.models.storage.S3TestServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose model store in object storage cannot be read as it starts (here: its
 * bucket does not exist yet) starts anyway, reports not ready naming the store, and
 * becomes ready once the store answers, without a restart; before, it failed to start
 * ("cannot list s3://...") and crash-looped in Kubernetes.
 */
@SpringBootTest(classes = RetrainApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class StorageOutageIT {

	static final S3TestServer S3 = S3TestServer.get();

	static final String BUCKET = "outage-" + UUID.randomUUID().toString().substring(0, 8);

	@DynamicPropertySource
	static void settings(DynamicPropertyRegistry registry) throws Exception {
		Path data = Files.createTempDirectory("storage-outage");
		Path configs = Files.createDirectories(data.resolve("configs"));
		registry.add("retrain.data-dir", data::toString);
		registry.add("retrain.config-dir", configs::toString);
		registry.add("retrain.store-uri", () -> "s3://" + BUCKET + "/models");
		registry.add("retrain.storage.s3.endpoint", S3::endpoint);
		registry.add("retrain.storage.s3.path-style", () -> "true");
		registry.add("retrain.storage.s3.access-key", () -> S3TestServer.ACCESS_KEY);
		registry.add("retrain.storage.s3.secret-key", () -> S3TestServer.SECRET_KEY);
	}

	@LocalServerPort
	int port;

	@Test
	void aNodeStartsWithoutItsStoreReportsNotReadyAndBecomesReadyWhenTheStoreAnswers() throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		HttpRequest readiness = HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/health/readiness"))
			.build();
		HttpResponse<String> down = http.send(readiness, HttpResponse.BodyHandlers.ofString());
		assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
		HttpRequest liveness = HttpRequest
			.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/health/liveness"))
			.build();
		assertThat(http.send(liveness, HttpResponse.BodyHandlers.ofString()).statusCode())
			.as("alive: restarting would not help")
			.isEqualTo(200);

		S3.createBucket(BUCKET);

		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> http.send(readiness, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
	}

}

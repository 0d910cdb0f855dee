package dev.retrain.orchestrator.pipelines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.orchestrator.RetrainApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pipeline edit reaches a running node without a restart or a reload request, the way
 * Kubernetes updates a mounted ConfigMap: the files are links into a {@code ..data}
 * directory, and the kubelet swaps that link to a new directory at once. The node reloads
 * when the contents change, audits it, and does nothing while they do not.
 */
@SpringBootTest(classes = RetrainApplication.class)
class PipelineFileWatchIT {

	static Path configs;

	@DynamicPropertySource
	static void settings(DynamicPropertyRegistry registry) throws Exception {
		Path data = Files.createTempDirectory("config-watch");
		configs = Files.createDirectories(data.resolve("configs"));
		registry.add("retrain.data-dir", data::toString);
		registry.add("retrain.config-dir", configs::toString);
		registry.add("retrain.config-watch", () -> "200ms");
	}

	@Autowired
	PipelineCatalog catalog;

	@Autowired
	AuditLog audit;

	/**
	 * The ConfigMap's next version: a new directory, then the {@code ..data} link
	 * swapped.
	 */
	private static void publish(String version, String yaml) throws Exception {
		Path dir = Files.createDirectories(configs.resolve("..v" + version));
		Files.writeString(dir.resolve("watched.yaml"), yaml);
		Path next = configs.resolve("..data_tmp");
		Files.deleteIfExists(next);
		Files.createSymbolicLink(next, dir.getFileName());
		Files.move(next, configs.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
				StandardCopyOption.REPLACE_EXISTING);
		Path link = configs.resolve("watched.yaml");
		if (!Files.isSymbolicLink(link)) {
			Files.createSymbolicLink(link, Path.of("..data", "watched.yaml"));
		}
	}

	private static String yaml(String description) {
		return PipelineFixtures.yaml("watched", "watched-data", PipelineFixtures.GOOD_MODEL, "")
			.replace("description: test pipeline", "description: " + description);
	}

	@Test
	void anEditedConfigMapIsReloadedWithoutARestartAndAnUnchangedOneIsLeftAlone() throws Exception {
		publish("1", yaml("first version"));
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.catalog.state().pipelines().containsKey("watched"));
		assertThat(this.catalog.get("watched").description()).isEqualTo("first version");

		publish("2", yaml("second version"));
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.catalog.get("watched").description().equals("second version"));
		assertThat(this.audit.query(null, "RELOAD_CONFIG", 10)).as("each reload is audited, by the watch")
			.hasSize(2)
			.allSatisfy(e -> assertThat(e.actor()).isEqualTo("config-watch"));

		// nothing changed: no further reload over ten looks
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(5))
			.until(() -> this.audit.query(null, "RELOAD_CONFIG", 10).size() == 2);
	}

}

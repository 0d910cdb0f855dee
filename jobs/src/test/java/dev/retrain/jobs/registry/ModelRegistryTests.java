package dev.retrain.jobs.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.runs.StartupRecovery;

import static org.assertj.core.api.Assertions.assertThat;

class ModelRegistryTests extends RetrainTestSupport {

	@Autowired
	StartupRecovery recovery;

	private void version(String pipeline, int v) {
		this.registry.insert(new ModelVersion(pipeline, v, Instant.now(), null, null, "RETRAIN", null, "ds-x", "h", "roc_auc",
				0.7, "PROMOTE", "test", "{}", "/nowhere"));
	}

	@Test
	void aStaleCompareAndSetChangesNothing() {
		version("cas", 1);
		version("cas", 2);
		version("cas", 3);
		assertThat(this.registry.promote("cas", 1, null, "test", "first", null)).isTrue();
		assertThat(this.registry.promote("cas", 2, 1, "test", "second", null)).isTrue();

		assertThat(this.registry.promote("cas", 3, 1, "test", "believes v1 is champion", null)).isFalse();
		assertThat(this.registry.promote("cas", 3, null, "test", "believes there is none", null)).isFalse();

		assertThat(this.registry.champion("cas")).contains(2);
		assertThat(this.registry.alias("cas", "previous")).contains(1);
		assertThat(this.registry.history("cas")).hasSize(3);
	}

	@Test
	void startupRemovesStagingLeftoversAndUnregisteredVersionsButKeepsRegisteredOnes() throws Exception {
		version("tidy", 1);
		Path pipelineDir = this.store.root().resolve("tidy");
		Files.createDirectories(pipelineDir.resolve("1"));
		Files.writeString(pipelineDir.resolve("1").resolve("metadata.json"), "{}");
		Files.createDirectories(pipelineDir.resolve(".staging-crashed"));
		Files.createDirectories(pipelineDir.resolve("2"));

		this.recovery.recover();

		try (Stream<Path> left = Files.list(pipelineDir)) {
			assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("1");
		}
	}

}

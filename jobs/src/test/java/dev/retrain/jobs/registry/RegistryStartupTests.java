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

/**
 * Start-up recovery against the registry and the model store on disk: the whole jobs
 * context, because recovery touches both.
 */
class RegistryStartupTests extends RetrainTestSupport {

	@Autowired
	StartupRecovery recovery;

	@Test
	void startupRemovesStagingLeftoversAndUnregisteredVersionsButKeepsRegisteredOnes() throws Exception {
		this.registry.insert(new ModelVersion("tidy", 1, Instant.now(), null, null, "RETRAIN", null, "ds-x", "h",
				"roc_auc", 0.7, Decision.PROMOTE, "test", "{}", "/nowhere", null, null, null, null, false));
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

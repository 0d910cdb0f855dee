package dev.retrain.orchestrator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;

/** A test application's own data and configuration directories, with the test users. */
record TestDirs(Path data, Path configs) {

	static TestDirs create(String prefix) {
		try {
			return new TestDirs(Files.createTempDirectory(prefix + "-data"),
					Files.createTempDirectory(prefix + "-configs"));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	void register(DynamicPropertyRegistry registry) {
		registry.add("retrain.data-dir", this.data::toString);
		registry.add("retrain.config-dir", this.configs::toString);
		ApiClient.users(registry);
	}

}

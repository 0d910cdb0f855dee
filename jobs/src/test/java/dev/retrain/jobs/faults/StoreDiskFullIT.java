package dev.retrain.jobs.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.JobsTestApplication;
import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.consistency.ConsistencyCheck;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.store.ModelStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The model store on a disk that fills up: a small tmpfs mounted (as root) over the store
 * directory. A run that cannot write its version fails saying so, leaves no partial
 * version behind and the champion as it was; with space again, the restarted run
 * registers exactly one version. CI runs as root and requires this test; elsewhere it is
 * skipped when it cannot mount.
 */
@SpringBootTest(classes = JobsTestApplication.class)
class StoreDiskFullIT {

	static final Path DATA = tempDir("retrain-diskfull-data");

	static final Path CONFIGS = tempDir("retrain-diskfull-configs");

	static final Path STORE = DATA.resolve("models");

	static boolean mounted;

	@DynamicPropertySource
	static void dirs(DynamicPropertyRegistry registry) throws Exception {
		Files.createDirectories(STORE);
		Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", STORE.toString())
			.redirectErrorStream(true)
			.start();
		String out = new String(mount.getInputStream().readAllBytes());
		mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
		if (!mounted) {
			Assumptions.assumeTrue(System.getenv("CI") == null,
					"CI runs as root and must be able to mount a tmpfs: " + out);
			Assumptions.abort("cannot mount a tmpfs here (run as root to include this test): " + out);
		}
		PipelineFixtures.sampleData(DATA, "sample", 150, 5);
		PipelineFixtures.write(CONFIGS, "full",
				PipelineFixtures.yaml("full", "sample", PipelineFixtures.GOOD_MODEL, ""));
		registry.add("retrain.data-dir", DATA::toString);
		registry.add("retrain.config-dir", CONFIGS::toString);
	}

	@AfterAll
	static void unmount() throws Exception {
		if (mounted) {
			new ProcessBuilder("umount", "-l", STORE.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
		}
	}

	private static Path tempDir(String prefix) {
		try {
			return Files.createTempDirectory(prefix);
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	@Autowired
	RunLauncher launcher;

	@Autowired
	RunRecords runs;

	@Autowired
	ModelRegistry registry;

	@Autowired
	ModelStore store;

	@Autowired
	ConsistencyCheck consistency;

	@Autowired
	PipelineCatalog catalog;

	@Test
	void aFullStoreFailsTheRunNamingTheReasonKeepsTheChampionAndTheRestartRegistersOnce() throws Exception {
		RunRecord first = run(launch("first"));
		assertThat(first.status()).isEqualTo("COMPLETED");
		assertThat(this.registry.champion("full")).contains(1);

		Path filler = STORE.resolve("filler");
		fill(filler);
		RunRecord failed = run(launch("second"));

		assertThat(failed.status()).isEqualTo("FAILED");
		assertThat(failed.failureReason()).contains("step 'register' failed").contains("No space left on device");
		assertThat(this.registry.versions("full")).extracting(ModelVersion::version).containsExactly(1);
		assertThat(this.registry.champion("full")).contains(1);
		this.store.load("full", 1).close();
		assertThat(storeEntries()).containsExactly("1", "filler");
		assertThat(this.consistency.run().disagreements()).isEmpty();

		Files.delete(filler);
		RunRecord restarted = run(this.launcher.restart(failed.runId()).runId());

		assertThat(restarted.status()).isEqualTo("COMPLETED");
		assertThat(this.registry.versions("full")).extracting(ModelVersion::version).containsExactlyInAnyOrder(1, 2);
		assertThat(storeEntries()).containsExactly("1", "2");
		assertThat(this.consistency.run().disagreements()).isEmpty();
	}

	private long launch(String runKey) {
		return this.launcher
			.launch(new RunLauncher.Request("full", PipelineFixtures.LAST, runKey, null, Trigger.MANUAL, "test"))
			.runId();
	}

	private RunRecord run(long runId) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.runs.find(runId).map(r -> r.endedAt() != null).orElse(false));
		return this.runs.find(runId).orElseThrow();
	}

	/** Writes until the disk is full. */
	private static void fill(Path file) {
		byte[] block = new byte[64 * 1024];
		try (OutputStream out = Files.newOutputStream(file)) {
			while (true) {
				out.write(block);
			}
		}
		catch (IOException full) {
			assertThat(full.getMessage()).contains("No space left on device");
		}
	}

	private static List<String> storeEntries() throws IOException {
		try (Stream<Path> list = Files.list(STORE.resolve("full"))) {
			// versions (the copy of the champion alias beside them is not one)
			List<String> names = new java.util.ArrayList<>(list.map(p -> p.getFileName().toString())
				.filter(n -> !n.equals(dev.retrain.models.store.ModelStore.ALIASES))
				.toList());
			try (Stream<Path> top = Files.list(STORE)) {
				top.filter(p -> p.getFileName().toString().equals("filler")).forEach(p -> names.add("filler"));
			}
			return names.stream().sorted().toList();
		}
	}

}

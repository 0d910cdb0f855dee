package dev.retrain.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.JobsTestApplication.FailureInjector;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.store.ModelStore;

import static org.awaitility.Awaitility.await;

/**
 * One application context for the job tests (one H2 database, one data directory, one
 * config directory).
 */
@SpringBootTest(classes = JobsTestApplication.class)
public abstract class RetrainTestSupport {

	protected static final Path DATA_DIR = tempDir("retrain-data");

	protected static final Path CONFIG_DIR = tempDir("retrain-configs");

	@Autowired
	protected RunLauncher launcher;

	@Autowired
	protected RunRecords runs;

	@Autowired
	protected ModelRegistry registry;

	@Autowired
	protected ModelStore store;

	@Autowired
	protected PipelineCatalog catalog;

	@Autowired
	protected FailureInjector failures;

	@DynamicPropertySource
	static void dirs(DynamicPropertyRegistry registry) {
		registry.add("retrain.data-dir", DATA_DIR::toString);
		registry.add("retrain.config-dir", CONFIG_DIR::toString);
	}

	private static Path tempDir(String prefix) {
		try {
			return Files.createTempDirectory(prefix);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	protected void definePipeline(String name, String yaml) {
		PipelineFixtures.write(CONFIG_DIR, name, yaml);
		this.catalog.reload();
	}

	protected LaunchedRun launch(String pipeline, LocalDate asOf, String runKey, Mode mode) {
		return this.launcher.launch(new RunLauncher.Request(pipeline, asOf, runKey, mode, Trigger.MANUAL, "test"));
	}

	@Autowired
	private JobRepository jobRepository;

	/**
	 * Waits until the Spring Batch job execution {@code id} (a scoring, a label join) is
	 * no longer running.
	 */
	protected void awaitJob(long id) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> !this.jobRepository.getJobExecution(id).isRunning());
	}

	protected RunRecord awaitEnd(long runId) {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.runs.find(runId).map(r -> r.endedAt() != null).orElse(false));
		return this.runs.find(runId).orElseThrow();
	}

	protected RunRecord run(String pipeline, LocalDate asOf, String runKey) {
		return awaitEnd(launch(pipeline, asOf, runKey, null).runId());
	}

}

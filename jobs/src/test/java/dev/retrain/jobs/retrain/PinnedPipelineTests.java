package dev.retrain.jobs.retrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.faults.Failpoints;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A run's steps read the pipeline file as it was when the run started: an edit (and a
 * reload) while the run is in progress changes nothing for it, and applies to the next
 * run. (On workers the same pinned text travels in the job repository: a worker whose
 * copy of the file is older or newer trains what the node started.)
 */
class PinnedPipelineTests extends RetrainTestSupport {

	@Autowired
	JobRepository repository;

	@Test
	void aFileEditedWhileARunIsInProgressChangesNothingForThatRunAndAppliesToTheNext() throws Exception {
		sampleData(DATA_DIR, "pinned", 120, 17);
		String six = yaml("pinned", "pinned", GOOD_MODEL, "");
		definePipeline("pinned", six);
		Path release = Files.createTempDirectory("pinned").resolve("go");
		System.setProperty(Failpoints.PROPERTY, "before-train");
		System.setProperty(Failpoints.RELEASE, release.toString());
		long runId;
		try {
			runId = launch("pinned", LAST, "pinned-1", null).runId();
			// held at the start of its train step, after snapshot and validate
			await().atMost(Duration.ofMinutes(1))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> this.repository.getJobExecution(runId)
					.getStepExecutions()
					.stream()
					.anyMatch(s -> s.getStepName().equals("train") && s.getStatus() == BatchStatus.STARTED));
			definePipeline("pinned", six.replace("epochs: 6", "epochs: 2"));
			assertThat(this.catalog.get("pinned").hyperparameters().epochs()).isEqualTo(2);
			Files.createFile(release);
		}
		finally {
			System.clearProperty(Failpoints.PROPERTY);
			System.clearProperty(Failpoints.RELEASE);
		}
		RunRecord first = awaitEnd(runId);

		assertThat(first.status()).as(first.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.store.metadata("pinned", 1).training().curve()).as("the file as the run started: 6 epochs")
			.hasSize(6);
		assertThat(this.registry.version("pinned", 1).orElseThrow().configHash())
			.isEqualTo(this.catalog.validate(six, "pinned.yaml").configHash());

		RunRecord second = run("pinned", LAST, "pinned-2");
		assertThat(second.status()).as(second.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.store.metadata("pinned", 2).training().curve()).as("the next run reads the edit").hasSize(2);
	}

}

package dev.retrain.jobs.retrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunAlreadyActive;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRejected;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelArtifact;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.WEAK_MODEL;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetrainJobTests extends RetrainTestSupport {

	@Test
	void firstRunPromotesAndTheStoredVersionReproducesItsHoldoutMetrics() throws Exception {
		sampleData(DATA_DIR, "first", 150, 1);
		definePipeline("first", yaml("first", "first", GOOD_MODEL, ""));

		RunRecord run = run("first", LAST, null);

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(run.decision()).isEqualTo(Decision.PROMOTE);
		assertThat(run.decisionSummary()).contains("no champion yet");
		assertThat(run.candidateVersion()).isEqualTo(1);
		assertThat(run.trigger()).isEqualTo("manual");
		assertThat(this.registry.champion("first")).contains(1);

		ArtifactMetadata meta = this.store.metadata("first", 1);
		assertThat(meta.dataset().id()).isEqualTo(run.snapshotId());
		assertThat(meta.dataset().files()).hasSize(20);
		assertThat(meta.training().curve()).hasSize(6);
		assertThat(meta.profile().numeric()).containsKey("tenure_days");
		assertThat(meta.profile().categorical().get("plan").frequencies()).containsKeys("basic", "plus", "pro");
		assertThat(meta.djlVersion()).isNotBlank();
		assertThat(meta.configHash()).hasSize(64);

		// reload from the store and score the same holdout rows: the recorded metrics
		// come back exactly
		PipelineDefinition def = this.catalog.get("first");
		Path root = DATA_DIR.resolve("first");
		var files = new PartitionedDirectory(root).resolve(LAST.minusDays(3), LAST);
		Table holdout = new dev.retrain.models.dataset.ParquetTableReader(root).read(files,
				WindowPlan.columns(def, List.<FeatureSpec>of()));
		try (ModelArtifact artifact = this.store.load("first", 1)) {
			Map<String, Double> again = Metrics.compute(artifact.predict(holdout), meta.label().encode(holdout));
			// the run scored the holdout a file slice at a time, this scores it in one
			// batch: PyTorch's kernels may
			// round differently for another batch size, so the metrics agree to 1e-9, not
			// to the last bit
			assertThat(again.keySet()).isEqualTo(meta.candidateMetrics().get("recent").keySet());
			again.forEach((k, v) -> assertThat(v).as(k)
				.isCloseTo(meta.candidateMetrics().get("recent").get(k), org.assertj.core.api.Assertions.within(1e-9)));
		}
		assertThat(Files.exists(DATA_DIR.resolve("work/first"))).isTrue();
		try (Stream<Path> left = Files.list(DATA_DIR.resolve("work/first"))) {
			assertThat(left).as("workspace removed after success").isEmpty();
		}
	}

	@Test
	void worseCandidateIsRejectedAndBetterOneIsPromotedKeepingThePreviousChampion() {
		sampleData(DATA_DIR, "ladder", 150, 2);
		definePipeline("ladder", yaml("ladder", "ladder", WEAK_MODEL, ""));
		RunRecord weakFirst = run("ladder", LAST, null);
		assertThat(weakFirst.decision()).as(weakFirst.failureReason()).isEqualTo(Decision.PROMOTE);

		definePipeline("ladder", yaml("ladder", "ladder", GOOD_MODEL, ""));
		RunRecord better = run("ladder", LAST, null);
		assertThat(better.decision()).isEqualTo(Decision.PROMOTE);
		assertThat(better.championVersion()).isEqualTo(1);
		assertThat(this.registry.champion("ladder")).contains(2);
		assertThat(this.registry.alias("ladder", "previous")).contains(1);

		definePipeline("ladder", yaml("ladder", "ladder", WEAK_MODEL, ""));
		RunRecord worse = run("ladder", LAST, null);
		assertThat(worse.status()).isEqualTo("COMPLETED");
		assertThat(worse.decision()).isEqualTo(Decision.REJECT);
		assertThat(worse.decisionSummary()).contains("vs champion v2").contains("does not meet");
		assertThat(this.registry.champion("ladder")).contains(2);
		assertThat(this.registry.versions("ladder")).extracting(ModelVersion::version).containsExactly(3, 2, 1);
		assertThat(this.registry.history("ladder"))
			.extracting(c -> c.alias() + ":" + c.fromVersion() + "->" + c.toVersion())
			.containsExactly("champion:null->1", "champion:1->2", "previous:null->1");
	}

	@Test
	void fineTuneWarmStartsFromTheChampionAndRecordsItsParent() {
		sampleData(DATA_DIR, "tuned", 150, 3);
		definePipeline("tuned",
				yaml("tuned", "tuned", GOOD_MODEL, "mode: finetune\nfinetune:\n  epochs: 2\n  learning-rate: 0.002"));

		RunRecord first = run("tuned", LAST, null);
		assertThat(first.mode()).isEqualTo("RETRAIN");
		assertThat(first.modeReason()).contains("no champion yet");

		RunRecord second = run("tuned", LAST, null);
		assertThat(second.status()).as(second.failureReason()).isEqualTo("COMPLETED");
		assertThat(second.mode()).isEqualTo("FINETUNE");
		ArtifactMetadata meta = this.store.metadata("tuned", 2);
		assertThat(meta.parentVersion()).isEqualTo(1);
		assertThat(meta.mode()).isEqualTo("FINETUNE");
		assertThat(meta.training().curve()).hasSize(2);
		assertThat(meta.hyperparameters().learningRate()).isEqualTo(0.002);
		assertThat(meta.features()).isEqualTo(this.store.metadata("tuned", 1).features());
		assertThat(this.registry.version("tuned", 2).orElseThrow().parentVersion()).isEqualTo(1);
	}

	@Test
	void runKilledMidTrainingResumesFromItsCheckpointAndRegistersExactlyOnce() {
		sampleData(DATA_DIR, "crash", 150, 4);
		definePipeline("crash", yaml("crash", "crash", GOOD_MODEL, ""));
		this.failures.arm(3);

		RunRecord failed = run("crash", LAST, "nightly");
		assertThat(failed.status()).isEqualTo("FAILED");
		assertThat(failed.failureReason()).contains("step 'train' failed").contains("injected failure after epoch 3");
		assertThat(this.registry.versions("crash")).isEmpty();
		assertThat(this.registry.champion("crash")).isEmpty();

		RunRecord resumed = run("crash", LAST, "nightly");
		assertThat(resumed.status()).as(resumed.failureReason()).isEqualTo("COMPLETED");
		assertThat(resumed.jobInstanceId()).isEqualTo(failed.jobInstanceId());
		assertThat(resumed.runId()).isNotEqualTo(failed.runId());
		ArtifactMetadata meta = this.store.metadata("crash", 1);
		assertThat(meta.training().resumedFromEpoch()).isEqualTo(3);
		assertThat(meta.training().curve()).hasSize(6);
		assertThat(this.registry.versions("crash")).hasSize(1);

		assertThatThrownBy(() -> launch("crash", LAST, "nightly", null)).isInstanceOf(RunRejected.class)
			.hasMessageContaining("already completed")
			.hasMessageContaining("another run key");
	}

	@Test
	void aSecondLaunchOfTheSamePipelineIsRefusedWhileOneRuns() {
		sampleData(DATA_DIR, "busy", 150, 5);
		definePipeline("busy", yaml("busy", "busy", GOOD_MODEL, ""));

		LaunchedRun first = launch("busy", LAST, null, Mode.RETRAIN);
		assertThatThrownBy(() -> launch("busy", LAST, null, Mode.RETRAIN)).isInstanceOf(RunAlreadyActive.class)
			.hasMessageContaining("pipeline 'busy' already has a run in progress");
		assertThat(awaitEnd(first.runId()).status()).isEqualTo("COMPLETED");

		RunRecord after = run("busy", LAST, null);
		assertThat(after.status()).as("the lock is released when a run ends").isEqualTo("COMPLETED");
	}

}

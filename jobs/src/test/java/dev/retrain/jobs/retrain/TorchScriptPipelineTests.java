package dev.retrain.jobs.retrain;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.TorchScriptFixtures;
import dev.retrain.jobs.backtest.BacktestReport;
import dev.retrain.jobs.backtest.Backtester;
import dev.retrain.jobs.backtest.PolicyFile;
import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.pipeline.PipelineConfigInvalid;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.pipeline.PipelineLoader;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.scoring.ScoringLauncher;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.json.Json;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.search.SearchResult;
import dev.retrain.models.serving.Champion;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.ModelFamily;

import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * A user's TorchScript module through the whole loop: a retrain from the module's
 * weights, a fine-tune from the champion, a search, the stored version as plain
 * TorchScript with its source recorded; and a module that does not fit the pipeline
 * refused with both sides named, the champion untouched.
 */
class TorchScriptPipelineTests extends RetrainTestSupport {

	@Autowired
	ScoringLauncher scoring;

	@Autowired
	DriftChecker checker;

	@Autowired
	JobRepository repository;

	@Test
	void aRetrainTrainsTheModuleAndAFineTuneStartsFromTheChampion() throws Exception {
		sampleData(DATA_DIR, "ts", 150, 11);
		Path module = TorchScriptFixtures.copy("mlp_w17_o1.pt", DATA_DIR.resolve("modules/churn.pt"));
		definePipeline("ts", TorchScriptFixtures.yaml("ts", "ts", "modules/churn.pt", ""));

		RunRecord first = run("ts", LAST, "first");

		assertThat(first.status()).as(first.failureReason()).isEqualTo("COMPLETED");
		assertThat(first.decision()).isEqualTo(Decision.PROMOTE);
		ArtifactMetadata meta = this.store.metadata("ts", first.candidateVersion());
		assertThat(meta.shape().family()).isEqualTo(ModelFamily.TORCHSCRIPT);
		assertThat(meta.shape().inputs()).isEqualTo(17);
		assertThat(meta.shape().source().location()).isEqualTo("modules/churn.pt");
		assertThat(meta.shape().source().sha256()).isEqualTo(FileHashes.sha256(module));
		assertThat(meta.candidateMetrics().get("recent").get("roc_auc")).isGreaterThan(0.6);
		Path stored = this.store.versionDir("ts", first.candidateVersion()).resolve(ModelStore.PARAMS);
		try (InputStream in = Files.newInputStream(stored)) {
			assertThat(in.readNBytes(4)).as("the plain TorchScript archive").containsExactly('P', 'K', 3, 4);
		}
		assertThat(FileHashes.sha256(stored)).as("trained, not the module as given")
			.isNotEqualTo(FileHashes.sha256(module));
		assertThat(loadingNotes(this.store.archive("ts", first.candidateVersion())))
			.contains("ts v1: TorchScript module modules/churn.pt (SHA-256 "
					+ meta.shape().source().sha256().substring(0, 12))
			.contains("float32 matrix [rows, 17]")
			.contains("torch.jit.load");

		// the stored version scores the holdout as the run did
		PipelineDefinition def = this.catalog.get("ts");
		Path root = DATA_DIR.resolve("ts");
		Table holdout = new ParquetTableReader(root).read(
				new PartitionedDirectory(root).resolve(LAST.minusDays(3), LAST),
				WindowPlan.columns(def, List.<FeatureSpec>of()));
		try (ModelArtifact artifact = this.store.load("ts", first.candidateVersion())) {
			Map<String, Double> again = Metrics.compute(artifact.predict(holdout), meta.label().encode(holdout));
			again.forEach((k, v) -> assertThat(v).as(k)
				.isCloseTo(meta.candidateMetrics().get("recent").get(k), within(1e-9)));
		}

		RunRecord tuned = awaitEnd(launch("ts", LAST, "tuned", Mode.FINETUNE).runId());

		assertThat(tuned.status()).as(tuned.failureReason()).isEqualTo("COMPLETED");
		ArtifactMetadata child = this.store.metadata("ts", tuned.candidateVersion());
		assertThat(child.mode()).isEqualTo("FINETUNE");
		assertThat(child.parentVersion()).isEqualTo(first.candidateVersion());
		assertThat(child.shape().source()).isEqualTo(meta.shape().source());
		assertThat(child.training().curve().get(0).trainLoss()).as("starts where the champion ended")
			.isLessThan(meta.training().curve().get(0).trainLoss());
	}

	@Test
	void theChampionIsUsedByBatchScoringDriftChecksTheChampionClientAndBacktests() throws Exception {
		sampleData(DATA_DIR, "ts-around", 150, 14);
		TorchScriptFixtures.copy("mlp_w17_o1.pt", DATA_DIR.resolve("modules/around.pt"));
		String yaml = TorchScriptFixtures.yaml("ts-around", "ts-around", "modules/around.pt", "");
		definePipeline("ts-around", yaml);
		RunRecord first = run("ts-around", LAST, null);
		assertThat(first.status()).as(first.failureReason()).isEqualTo("COMPLETED");
		int champion = first.candidateVersion();

		ScoringLauncher.Launched launched = this.scoring.launch("ts-around", LAST, null, null, "test");
		await().atMost(Duration.ofMinutes(2)).until(() -> !this.repository.getJobExecution(launched.id()).isRunning());
		ScoringLauncher.Scoring scored = this.scoring.find(launched.id());
		assertThat(scored.status()).as(scored.failure()).isEqualTo("COMPLETED");
		assertThat(scored.version()).isEqualTo(champion);
		assertThat(scored.rows()).isPositive();

		DriftReport drift = this.checker.check("ts-around", LAST, "test");
		assertThat(drift.championVersion()).isEqualTo(champion);
		assertThat(drift.prediction()).as("prediction drift from the module's outputs").isNotNull();

		Table day = new ParquetTableReader(DATA_DIR.resolve("ts-around")).read(
				new PartitionedDirectory(DATA_DIR.resolve("ts-around")).resolve(LAST, LAST),
				WindowPlan.columns(this.catalog.get("ts-around"), List.<FeatureSpec>of()));
		try (Champion client = Champion.from(DATA_DIR.resolve("models").toString(), "ts-around");
				ModelArtifact artifact = this.store.load("ts-around", champion)) {
			assertThat(client.version()).isEqualTo(champion);
			assertThat(client.metadata().shape().family()).isEqualTo(ModelFamily.TORCHSCRIPT);
			assertThat(client.score(day).predictions().scores()).containsExactly(artifact.predict(day).scores());
		}

		Path out = Files.createTempDirectory("ts-backtest");
		BacktestReport report = new Backtester()
			.run(new Backtester.Request(yaml, DATA_DIR, out.resolve("sandboxes"), null, null, 5, 10,
					PolicyFile.parse("policies:\n  - {name: weekly, type: schedule, cron: \"0 0 0 ? * MON\"}")
						.toPolicies()),
					line -> {
					});
		BacktestReport.PolicyResult weekly = report.policies()
			.stream()
			.filter(p -> p.name().equals("weekly"))
			.findFirst()
			.orElseThrow();
		assertThat(weekly.retrains()).as("the sandboxes found the module by its absolute path").isPositive();
		assertThat(weekly.meanMetric()).isBetween(0.5, 1.0);
	}

	static String loadingNotes(byte[] zip) throws IOException {
		try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
			for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
				if (e.getName().equals("LOADING.txt")) {
					return new String(in.readAllBytes(), StandardCharsets.UTF_8);
				}
			}
		}
		throw new AssertionError("the archive has no LOADING.txt");
	}

	@Test
	void aSearchTriesCandidatesOfTheModule() throws Exception {
		sampleData(DATA_DIR, "ts-search", 150, 12);
		Path module = TorchScriptFixtures.copy("mlp_w17_o1.pt", DATA_DIR.resolve("modules/search.pt"));
		definePipeline("ts-search", TorchScriptFixtures.yaml("ts-search", "ts-search", module.toString(), """
				search:
				  selection-days: 3
				  learning-rate: [0.01, 0.03]
				  max-candidates: 2"""));

		RunRecord run = run("ts-search", LAST, null);

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		SearchResult search = Json.MAPPER.convertValue(
				Json.MAPPER.readTree(this.runs.find(run.runId()).orElseThrow().details()).get("search"),
				SearchResult.class);
		assertThat(search.candidates()).hasSize(2).allSatisfy(t -> {
			assertThat(t.failed()).isNull();
			assertThat(t.score()).isBetween(0.0, 1.0);
		});
		ArtifactMetadata meta = this.store.metadata("ts-search", run.candidateVersion());
		assertThat(meta.search()).isEqualTo(search);
		assertThat(meta.shape().source().sha256()).isEqualTo(FileHashes.sha256(module));
	}

	@Test
	void aModuleOfAnotherWidthFailsTheRunNamingTheEncodedColumnsAndKeepsTheChampion() {
		sampleData(DATA_DIR, "ts-narrow", 150, 13);
		TorchScriptFixtures.copy("mlp_w17_o1.pt", DATA_DIR.resolve("modules/good.pt"));
		TorchScriptFixtures.copy("mlp_w4_o1.pt", DATA_DIR.resolve("modules/narrow.pt"));
		definePipeline("ts-narrow", TorchScriptFixtures.yaml("ts-narrow", "ts-narrow", "modules/good.pt", ""));
		RunRecord good = run("ts-narrow", LAST, "good");
		assertThat(good.status()).as(good.failureReason()).isEqualTo("COMPLETED");

		definePipeline("ts-narrow", TorchScriptFixtures.yaml("ts-narrow", "ts-narrow", "modules/narrow.pt", ""));
		RunRecord narrow = run("ts-narrow", LAST, "narrow");

		assertThat(narrow.status()).isEqualTo("FAILED");
		assertThat(narrow.failureReason())
			.contains("does not take the pipeline's 17 encoded columns [tenure_days, "
					+ "tenure_days:missing, monthly_spend")
			.contains("plan=basic, plan=plus, plan=pro, plan=<other>")
			.contains("it takes 4 columns");
		assertThat(this.registry.champion("ts-narrow")).contains(good.candidateVersion());
	}

	@Test
	void aTorchScriptPipelineNeedsItsFileAndFixedCategories() {
		String yaml = TorchScriptFixtures.yaml("ts-config", "ts-config", "m.pt", "")
			.replace("    categories: [north, south, east, west]\n", "")
			.replace("  torchscript: m.pt\n", "  hidden-layers: [8]\n");

		assertThatThrownBy(() -> new PipelineLoader().parse(yaml, "ts-config.yaml"))
			.isInstanceOf(PipelineConfigInvalid.class)
			.hasMessageContaining("model.torchscript")
			.hasMessageContaining("features[5].categories")
			.hasMessageContaining("list the categories of 'region'")
			.hasMessageContaining("model.hidden-layers");
	}

}

package dev.retrain.examples.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.backtest.BacktestPolicy;
import dev.retrain.jobs.backtest.BacktestReport;
import dev.retrain.jobs.backtest.Backtester;
import dev.retrain.jobs.backtest.PolicyFile;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.scoring.ScoringLauncher;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.PredictionsWriter;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.json.Json;
import dev.retrain.models.plugins.ModelPlugins;
import dev.retrain.models.search.SearchResult;
import dev.retrain.models.serving.Champion;
import dev.retrain.models.serving.Scored;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.training.ModelFamily;

import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The example plugin's jar, as Maven built it, in a plugin directory that the product
 * reads at start-up ({@code retrain.plugins-dir}): a retrain, a fine-tune, a search, a
 * backtest and batch scoring train and score the wide-and-deep network; the version
 * records the jar; {@code Champion} loads it in an application of its own. The plugin's
 * classes are not on this test's class path (see the pom): only in the jar.
 */
class WideAndDeepPluginTests extends RetrainTestSupport {

	static final Path JAR = Path.of(System.getProperty("plugin.jar", "target/model-plugin.jar")).toAbsolutePath();

	static final Path PLUGINS = pluginDirectory();

	static final String MODEL = """
			family: wide-and-deep
			params:
			  embedding-size: 3
			  hidden-layers: [16]
			  dropout: 0.1
			epochs: 4
			batch-size: 128
			learning-rate: 0.01
			early-stopping:
			  patience: 0
			seed: 7""";

	@Autowired
	ScoringLauncher scoring;

	@Autowired
	JobRepository repository;

	@DynamicPropertySource
	static void plugins(DynamicPropertyRegistry registry) {
		registry.add("retrain.plugins-dir", PLUGINS::toString);
	}

	private static Path pluginDirectory() {
		try {
			Path dir = Files.createTempDirectory("plugins");
			Files.copy(JAR, dir.resolve("wide-and-deep.jar"));
			return dir;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("the plugin jar " + JAR + " is made before the tests (mvn test)", ex);
		}
	}

	@Test
	void theServerFindsThePluginInItsDirectory() {
		ModelPlugins.Plugin p = ModelPlugins.installed().get("wide-and-deep");

		assertThat(p).isNotNull();
		assertThat(p.jar()).isEqualTo("wide-and-deep.jar");
		assertThat(p.sha256()).isEqualTo(FileHashes.sha256(JAR));
		assertThat(p.version()).isEqualTo("0.1.0-SNAPSHOT");
		assertThat(p.factory().getClass().getClassLoader()).isNotSameAs(getClass().getClassLoader());
	}

	@Test
	void aRetrainAFineTuneBatchScoringAndChampionUseThePlugin() throws Exception {
		sampleData(DATA_DIR, "wd", 150, 31);
		definePipeline("wd", PipelineFixtures.yaml("wd", "wd", MODEL, ""));

		RunRecord first = run("wd", LAST, "first");

		assertThat(first.status()).as(first.failureReason()).isEqualTo("COMPLETED");
		assertThat(first.decision()).isEqualTo(Decision.PROMOTE);
		ArtifactMetadata meta = this.store.metadata("wd", first.candidateVersion());
		assertThat(meta.shape().family()).isEqualTo(ModelFamily.PLUGIN);
		assertThat(meta.shape().source().plugin()).isEqualTo("wide-and-deep");
		assertThat(meta.shape().source().version()).isEqualTo("0.1.0-SNAPSHOT");
		assertThat(meta.shape().source().location()).isEqualTo("wide-and-deep.jar");
		assertThat(meta.shape().source().sha256()).isEqualTo(FileHashes.sha256(JAR));
		assertThat(meta.candidateMetrics().get("recent").get("roc_auc")).isGreaterThan(0.6);

		RunRecord tuned = awaitEnd(launch("wd", LAST, "tuned", Mode.FINETUNE).runId());

		assertThat(tuned.status()).as(tuned.failureReason()).isEqualTo("COMPLETED");
		ArtifactMetadata child = this.store.metadata("wd", tuned.candidateVersion());
		assertThat(child.mode()).isEqualTo("FINETUNE");
		assertThat(child.parentVersion()).isEqualTo(first.candidateVersion());
		assertThat(child.training().curve().get(0).trainLoss()).as("starts where the champion ended")
			.isLessThan(meta.training().curve().get(0).trainLoss());
		int champion = this.registry.champion("wd").orElseThrow();

		// batch scoring of the last day with the champion
		ScoringLauncher.Launched launched = this.scoring.launch("wd", LAST, null, null, "test");
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> !this.repository.getJobExecution(launched.id()).isRunning());
		ScoringLauncher.Scoring scored = this.scoring.find(launched.id());
		assertThat(scored.status()).as(scored.failure()).isEqualTo("COMPLETED");
		assertThat(scored.version()).isEqualTo(champion);
		Path output = Path.of(scored.output());
		Table predictions = new ParquetTableReader(output.getParent()).read(
				List.of(new DataFile(output.getFileName().toString(), null, 0, 0, null)),
				List.of(new ColumnRequest(PredictionsWriter.SCORE, ColumnRequest.Kind.NUMERIC, true)));
		Path day = DATA_DIR.resolve("wd").resolve(PartitionedDirectory.PREFIX + LAST);
		Table rows;
		try (var files = Files.list(day)) {
			rows = new ParquetTableReader(day).read(
					files.map(f -> new DataFile(f.getFileName().toString(), null, 0, 0, null)).toList(),
					List.of(new ColumnRequest("tenure_days", ColumnRequest.Kind.NUMERIC, true),
							new ColumnRequest("monthly_spend", ColumnRequest.Kind.NUMERIC, true),
							new ColumnRequest("sessions", ColumnRequest.Kind.NUMERIC, true),
							new ColumnRequest("support_calls", ColumnRequest.Kind.NUMERIC, true),
							new ColumnRequest("plan", ColumnRequest.Kind.STRING, true),
							new ColumnRequest("region", ColumnRequest.Kind.STRING, true)));
		}
		double[] expected;
		try (ModelArtifact artifact = this.store.load("wd", champion)) {
			expected = artifact.predict(rows).scores();
		}
		assertThat(predictions.rows()).isEqualTo(rows.rows());
		for (int r = 0; r < rows.rows(); r++) {
			assertThat(predictions.numeric(PredictionsWriter.SCORE).values()[r]).isCloseTo(expected[r], within(1e-6));
		}

		// an application of its own: Champion, from the model store, with the plugin
		// directory
		try (Champion app = Champion.builder(DATA_DIR.resolve("models").toString(), "wd")
			.pluginsDir(PLUGINS)
			.pollEvery(null)
			.build()) {
			assertThat(app.version()).isEqualTo(champion);
			Map<String, Object> row = Map.of("tenure_days", rows.numeric("tenure_days").values()[0], "monthly_spend",
					rows.numeric("monthly_spend").values()[0], "sessions", rows.numeric("sessions").values()[0],
					"support_calls", rows.numeric("support_calls").values()[0], "plan",
					rows.strings("plan").values()[0], "region", rows.strings("region").values()[0]);
			Scored s = app.score(row);
			assertThat(s.version()).isEqualTo(champion);
			assertThat(s.score()).isCloseTo(expected[0], within(1e-6));
		}
	}

	@Test
	void aSearchTriesCandidatesOfThePlugin() throws Exception {
		sampleData(DATA_DIR, "wd-search", 150, 32);
		definePipeline("wd-search", PipelineFixtures.yaml("wd-search", "wd-search", MODEL, """
				search:
				  selection-days: 3
				  learning-rate: [0.01, 0.03]
				  max-candidates: 2"""));

		RunRecord run = run("wd-search", LAST, null);

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		SearchResult search = Json.MAPPER.convertValue(
				Json.MAPPER.readTree(this.runs.find(run.runId()).orElseThrow().details()).get("search"),
				SearchResult.class);
		assertThat(search.candidates()).hasSize(2).allSatisfy(t -> {
			assertThat(t.failed()).isNull();
			assertThat(t.score()).isBetween(0.5, 1.0);
		});
		ArtifactMetadata meta = this.store.metadata("wd-search", run.candidateVersion());
		assertThat(meta.shape().source().plugin()).isEqualTo("wide-and-deep");
		assertThat(meta.shape().source().sha256()).isEqualTo(FileHashes.sha256(JAR));
	}

	@Test
	void aBacktestReplaysAPolicyWithThePlugin() throws Exception {
		sampleData(DATA_DIR, "wd-history", 120, 33);
		String yaml = PipelineFixtures.yaml("wd-history", "wd-history", MODEL, "")
			.replace("window-days: 20", "window-days: 8")
			.replace("days: 4", "days: 2");
		List<BacktestPolicy> policies = PolicyFile.parse("""
				policies:
				  - {name: weekly, type: schedule, cron: "0 0 0 ? * MON"}
				""").toPolicies();
		Path out = Files.createTempDirectory("backtest");

		BacktestReport report = new Backtester()
			.run(new Backtester.Request(yaml, DATA_DIR, out.resolve("sandboxes"), null, null, 4, 8, policies), line -> {
			});

		assertThat(report.policies()).extracting(BacktestReport.PolicyResult::name)
			.containsExactly(Backtester.TRAIN_ONCE, "weekly");
		assertThat(report.policies()).allSatisfy(p -> {
			assertThat(p.periods()).isPositive();
			assertThat(p.meanMetric()).isBetween(0.5, 1.0);
		});
		assertThat(report.policies().get(1).retrains()).isPositive();
	}

}

package dev.retrain.jobs.retrain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.pipeline.PipelineConfigInvalid;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.pipeline.PipelineLoader;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.plugins.ModelPlugins;
import dev.retrain.models.plugins.PluginJars;
import dev.retrain.models.plugins.PluginUnavailable;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.training.ModelFamily;

import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A model plugin (a real jar in a plugin directory) through the retrain job: a retrain
 * and a fine-tune train its block, the version records the plugin's name, version and jar
 * SHA-256, and once the directory holds another jar of it, the version is refused naming
 * the jar it needs, a fine-tune falls back to a retrain and the champion it cannot load
 * is reported as such.
 */
class PluginPipelineTests extends RetrainTestSupport {

	private final ModelPlugins before = ModelPlugins.installed();

	@AfterEach
	void restore() throws IOException {
		ModelPlugins.install(this.before);
		// the catalog is shared with other test classes, which have no plugins
		for (String name : List.of("plugin", "plugin-bad")) {
			Files.deleteIfExists(CONFIG_DIR.resolve(name + ".yaml"));
		}
		this.catalog.reload();
	}

	static String yaml(String name, String params) {
		return PipelineFixtures.yaml(name, name, """
				family: tiny-mlp
				params: %s
				epochs: 4
				batch-size: 128
				learning-rate: 0.01
				early-stopping:
				  patience: 0
				seed: 7""".formatted(params), "");
	}

	@Test
	void aRetrainAndAFineTuneTrainThePluginAndAnotherJarOfItCannotLoadTheVersion() throws Exception {
		Path dirA = Files.createTempDirectory("plugins-a");
		Path jarA = PluginJars.mlp(dirA, "tiny-mlp", "1.0");
		ModelPlugins.install(ModelPlugins.load(dirA));
		sampleData(DATA_DIR, "plugin", 150, 21);
		definePipeline("plugin", yaml("plugin", "{width: 16, dropout: 0.1}"));

		RunRecord first = run("plugin", LAST, "first");

		assertThat(first.status()).as(first.failureReason()).isEqualTo("COMPLETED");
		assertThat(first.decision()).isEqualTo(Decision.PROMOTE);
		ArtifactMetadata meta = this.store.metadata("plugin", first.candidateVersion());
		assertThat(meta.shape().family()).isEqualTo(ModelFamily.PLUGIN);
		assertThat(meta.shape().source().plugin()).isEqualTo("tiny-mlp");
		assertThat(meta.shape().source().version()).isEqualTo("1.0");
		assertThat(meta.shape().source().location()).isEqualTo("tiny-mlp-1.0.jar");
		assertThat(meta.shape().source().sha256()).isEqualTo(FileHashes.sha256(jarA));
		assertThat(meta.shape().source().params()).isEqualTo(Map.of("width", 16, "dropout", 0.1));
		assertThat(meta.shape().source().layout()).hasSize(6);
		assertThat(meta.candidateMetrics().get("recent").get("roc_auc")).isGreaterThan(0.6);

		// the stored version scores the holdout as the run did
		PipelineDefinition def = this.catalog.get("plugin");
		Path root = DATA_DIR.resolve("plugin");
		Table holdout = new ParquetTableReader(root).read(
				new PartitionedDirectory(root).resolve(LAST.minusDays(3), LAST),
				WindowPlan.columns(def, List.<FeatureSpec>of()));
		try (ModelArtifact artifact = this.store.load("plugin", first.candidateVersion())) {
			Map<String, Double> again = Metrics.compute(artifact.predict(holdout), meta.label().encode(holdout));
			again.forEach((k, v) -> assertThat(v).as(k)
				.isCloseTo(meta.candidateMetrics().get("recent").get(k), within(1e-9)));
		}

		RunRecord tuned = awaitEnd(launch("plugin", LAST, "tuned", Mode.FINETUNE).runId());

		assertThat(tuned.status()).as(tuned.failureReason()).isEqualTo("COMPLETED");
		ArtifactMetadata child = this.store.metadata("plugin", tuned.candidateVersion());
		assertThat(child.mode()).isEqualTo("FINETUNE");
		assertThat(child.parentVersion()).isEqualTo(first.candidateVersion());
		assertThat(child.shape().source()).isEqualTo(meta.shape().source());
		assertThat(child.training().curve().get(0).trainLoss()).as("starts where the champion ended")
			.isLessThan(meta.training().curve().get(0).trainLoss());
		int champion = this.registry.champion("plugin").orElseThrow();

		// the operator upgrades the plugin: another jar of the same name
		Path dirB = Files.createTempDirectory("plugins-b");
		Path jarB = PluginJars.mlp(dirB, "tiny-mlp", "1.1");
		ModelPlugins.install(ModelPlugins.load(dirB));

		assertThatThrownBy(() -> this.store.load("plugin", first.candidateVersion()).close())
			.isInstanceOf(PluginUnavailable.class)
			.hasMessageContaining(
					"plugin 'tiny-mlp' version 1.0 from tiny-mlp-1.0.jar (SHA-256 " + FileHashes.sha256(jarA) + ")")
			.hasMessageContaining("version 1.1 from tiny-mlp-1.1.jar (SHA-256 " + FileHashes.sha256(jarB) + ")");

		RunRecord upgraded = awaitEnd(launch("plugin", LAST, "upgraded", Mode.FINETUNE).runId());

		assertThat(upgraded.status()).as(upgraded.failureReason()).isEqualTo("COMPLETED");
		ArtifactMetadata fresh = this.store.metadata("plugin", upgraded.candidateVersion());
		assertThat(fresh.mode()).isEqualTo("RETRAIN");
		assertThat(fresh.modeReason()).contains("plugin tiny-mlp is now version 1.1 from tiny-mlp-1.1.jar");
		assertThat(fresh.shape().source().sha256()).isEqualTo(FileHashes.sha256(jarB));
		assertThat(fresh.decision().reasons().get(0)).contains("champion v" + champion + " cannot be loaded")
			.contains("tiny-mlp-1.0.jar");

		// without the plugin at all
		ModelPlugins.install(ModelPlugins.none());
		assertThatThrownBy(() -> this.store.load("plugin", first.candidateVersion()).close())
			.isInstanceOf(PluginUnavailable.class)
			.hasMessageContaining("needs plugin 'tiny-mlp' version 1.0 from tiny-mlp-1.0.jar")
			.hasMessageContaining("no plugin directory is configured");
	}

	@Test
	void thePluginsOwnChecksAreReportedWithEveryOtherProblemOfTheFile() throws Exception {
		Path dir = Files.createTempDirectory("plugins-rules");
		PluginJars.mlp(dir, "tiny-mlp", "1.0");
		ModelPlugins.install(ModelPlugins.load(dir));
		String yaml = yaml("plugin-bad", "{width: 0, depth: 3}").replace("window-days: 20", "window-days: 0")
			.replace("  family: tiny-mlp\n", "  family: tiny-mlp\n  hidden-layers: [8]\n")
				+ "search:\n  selection-days: 3\n  hidden-layers: [[8], [16]]\n";

		assertThatThrownBy(() -> new PipelineLoader().parse(yaml, "plugin-bad.yaml"))
			.isInstanceOf(PipelineConfigInvalid.class)
			.satisfies(ex -> assertThat(((PipelineConfigInvalid) ex).problems()).extracting(p -> p.field())
				.contains("data.window-days", "model.params.width", "model.params.depth", "model.hidden-layers",
						"search.hidden-layers"))
			.hasMessageContaining("a whole number of units from 1 to 1024, was 0")
			.hasMessageContaining("is not a parameter of tiny-mlp");

		String unknown = yaml("plugin-bad", "{width: 4}").replace("family: tiny-mlp", "family: forest");
		assertThatThrownBy(() -> new PipelineLoader().parse(unknown, "plugin-bad.yaml"))
			.hasMessageContaining("'forest' is not one of [linear, logistic, mlp, torchscript] nor an installed "
					+ "plugin (installed: [tiny-mlp])")
			.hasMessageContaining("model.params");
	}

}

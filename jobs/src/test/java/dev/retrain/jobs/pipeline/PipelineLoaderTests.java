package dev.retrain.jobs.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.promotion.FirstRun;
import dev.retrain.models.training.ModelFamily;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineLoaderTests {

	private final PipelineLoader loader = new PipelineLoader();

	private static String valid(String name) {
		return PipelineFixtures.yaml(name, "data/" + name, PipelineFixtures.GOOD_MODEL, "");
	}

	@Test
	void everyPipelineFileShippedInConfigsLoads() throws IOException {
		Path configs = Path.of("..", "configs");
		List<Path> files;
		try (var all = Files.walk(configs)) {
			files = all.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
		}
		List<Path> pipelines = files.stream().filter(f -> !f.getFileName().toString().contains("polic")).toList();
		assertThat(pipelines).extracting(f -> f.getFileName().toString())
			.contains("sample.yaml", "sample-torchscript.yaml", "weather.yaml");
		for (Path file : pipelines) {
			PipelineDefinition def = this.loader.parse(Files.readString(file), file.toString());
			assertThat(def.name()).as(file.toString()).isNotBlank();
		}
		PipelineDefinition torchscript = this.loader
			.parse(Files.readString(configs.resolve("examples/sample-torchscript.yaml")), "sample-torchscript.yaml");
		assertThat(torchscript.family()).isEqualTo(ModelFamily.TORCHSCRIPT);
		assertThat(torchscript.model().source().location()).isEqualTo("modules/churn.pt");
	}

	@Test
	void loadsAValidFileWithDefaults() {
		PipelineDefinition def = this.loader.parse(valid("churn"), "configs/churn.yaml");
		assertThat(def.task()).isEqualTo(Task.BINARY_CLASSIFICATION);
		assertThat(def.family()).isEqualTo(ModelFamily.MLP);
		assertThat(def.hiddenLayers()).containsExactly(16);
		assertThat(def.promotion().metric()).isEqualTo(Metric.ROC_AUC);
		assertThat(def.promotion().firstRun()).isEqualTo(FirstRun.PROMOTE_IF_MIN_VALUE);
		assertThat(def.primaryHoldout().name()).isEqualTo("recent");
		assertThat(def.mode()).isEqualTo(PipelineDefinition.Mode.RETRAIN);
		assertThat(def.configHash()).hasSize(64);
	}

	@Test
	void unknownFieldIsRefusedNamingTheFileAndTheField() {
		String yaml = valid("churn").replace("  epochs: 6", "  epochz: 6");
		assertThatThrownBy(() -> this.loader.parse(yaml, "configs/churn.yaml"))
			.isInstanceOf(PipelineConfigInvalid.class)
			.hasMessageStartingWith("configs/churn.yaml: field 'model.epochz': unknown field 'epochz'")
			.hasMessageContaining("known fields:")
			.hasMessageContaining("epochs");
	}

	@Test
	void everyBadValueIsReportedAtOnce() {
		String yaml = valid("churn").replace("  epochs: 6", "  epochs: 0")
			.replace("learning-rate: 0.01", "learning-rate: -1")
			.replace("task: binary", "task: binari")
			.replace("metric: roc_auc", "metric: rmse");
		assertThatThrownBy(() -> this.loader.parse(yaml, "configs/churn.yaml"))
			.isInstanceOfSatisfying(PipelineConfigInvalid.class,
					ex -> assertThat(ex.problems()).extracting(ConfigProblem::field)
						.contains("model.epochs", "model.learning-rate", "label.task"))
			.hasMessageContaining("field 'model.epochs': must be >= 1, was 0")
			.hasMessageContaining("field 'label.task': 'binari' is not one of [binary, multiclass, regression]");
	}

	@Test
	void aTypeErrorAnUnknownKeyAndABadEnumAreReportedInOneRound() {
		String yaml = valid("churn").replace("  epochs: 6", "  epochs: many\n  epochz: 6")
			.replace("task: binary", "task: binari");
		assertThatThrownBy(() -> this.loader.parse(yaml, "configs/churn.yaml")).isInstanceOfSatisfying(
				PipelineConfigInvalid.class, ex -> assertThat(ex.problems()).extracting(ConfigProblem::field)
					.contains("model.epochs", "model.epochz", "label.task"));
	}

	@Test
	void valueOfTheWrongTypeNamesTheField() {
		String yaml = valid("churn").replace("  epochs: 6", "  epochs: many");
		assertThatThrownBy(() -> this.loader.parse(yaml, "configs/churn.yaml"))
			.hasMessageStartingWith("configs/churn.yaml: field 'model.epochs': bad value");
	}

	@Test
	void metricThatDoesNotFitTheTaskAndBadNamesAreRefused() {
		String yaml = valid("Bad Name").replace("metric: roc_auc", "metric: rmse");
		assertThatThrownBy(() -> this.loader.parse(yaml, "x.yaml"))
			.hasMessageContaining("field 'name': 'Bad Name' must match")
			.hasMessageContaining("field 'promotion.metric': 'rmse' does not apply to a binary_classification task");
	}

	@Test
	void oneBadFileDoesNotStopTheOthersFromLoading(@TempDir Path dir) throws IOException {
		Files.writeString(dir.resolve("good.yaml"), valid("good"));
		Files.writeString(dir.resolve("broken.yaml"), valid("broken").replace("window-days: 20", "window-days: -3"));
		Files.writeString(dir.resolve("notes.txt"), "ignored");

		PipelineCatalog catalog = new PipelineCatalog(dir);
		PipelineCatalog.State state = catalog.reload();

		assertThat(state.pipelines()).containsOnlyKeys("good");
		assertThat(state.errors()).hasSize(1);
		assertThat(state.errors().get(0).getMessage()).contains("broken.yaml").contains("field 'data.window-days'");
		assertThatThrownBy(() -> catalog.get("broken")).isInstanceOf(PipelineNotFound.class)
			.hasMessageContaining("its file failed to load");
		assertThat(List.of(catalog.get("good").name())).containsExactly("good");
	}

	@Test
	void aLargeDirectoryLoadsOnSeveralThreadsInFileOrderWithEachFilesOwnOutcome(@TempDir Path dir) throws IOException {
		// enough files for more than one loading thread; every fifth is bad, each its own
		// way, and two declare the same name
		for (int i = 0; i < 60; i++) {
			String name = String.format(Locale.ROOT, "f%02d", i);
			String yaml = switch (i % 5) {
				case 1 -> valid(name).replace("window-days: 20", "window-days: -" + i);
				case 3 -> "name: [" + i;
				default -> valid(name);
			};
			Files.writeString(dir.resolve(name + ".yaml"), yaml);
		}
		Files.writeString(dir.resolve("f60.yaml"), valid("f00"));

		List<PipelineLoader.Loaded> loaded = this.loader.loadDirectory(dir);

		assertThat(loaded).extracting(PipelineLoader.Loaded::file)
			.containsExactlyElementsOf(IntStream.rangeClosed(0, 60)
				.mapToObj(i -> String.format(Locale.ROOT, "%s/f%02d.yaml", dir.getFileName(), i))
				.toList());
		for (int i = 0; i < 60; i++) {
			PipelineLoader.Loaded l = loaded.get(i);
			if (i == 0) {
				assertThat(l.error().getMessage()).contains("f00.yaml").contains("used by more than one file");
			}
			else if (i % 5 == 1) {
				assertThat(l.error().getMessage()).as(l.file())
					.contains("f%02d.yaml".formatted(i))
					.contains("field 'data.window-days'")
					.contains("was -" + i);
			}
			else if (i % 5 == 3) {
				assertThat(l.error().getMessage()).as(l.file()).contains("not valid YAML");
			}
			else {
				assertThat(l.error()).as(l.file()).isNull();
				assertThat(l.definition().name()).isEqualTo("f%02d".formatted(i));
				assertThat(l.definition().source()).isEqualTo(l.file());
			}
		}
		assertThat(loaded.get(60).error().getMessage()).contains("used by more than one file");
	}

	@Test
	void aFileThatStopsLoadingKeepsItsLastGoodDefinitionUntilItLoadsAgain(@TempDir Path dir) throws IOException {
		Files.writeString(dir.resolve("keep.yaml"), valid("keep"));
		PipelineCatalog catalog = new PipelineCatalog(dir);
		String good = catalog.reload().pipelines().get("keep").configHash();

		Files.writeString(dir.resolve("keep.yaml"), valid("keep").replace("  epochs: 6", "  epochz: 6"));
		PipelineCatalog.State broken = catalog.reload();

		assertThat(broken.pipelines()).containsKey("keep");
		assertThat(catalog.get("keep").configHash()).as("the last good definition").isEqualTo(good);
		assertThat(broken.errors()).singleElement()
			.satisfies(e -> assertThat(e.getMessage()).contains("keep.yaml")
				.contains("unknown field 'epochz'")
				.contains("keeps its last good definition"));

		Files.writeString(dir.resolve("keep.yaml"), valid("keep").replace("  epochs: 6", "  epochs: 7"));
		PipelineCatalog.State fixed = catalog.reload();
		assertThat(fixed.errors()).isEmpty();
		assertThat(catalog.get("keep").hyperparameters().epochs()).isEqualTo(7);
	}

	@Test
	void aSecondFileDeclaringALoadedNameIsTheOnlyOneRefused(@TempDir Path dir) throws IOException {
		Files.writeString(dir.resolve("b-original.yaml"), valid("taken"));
		PipelineCatalog catalog = new PipelineCatalog(dir);
		catalog.reload();

		Files.writeString(dir.resolve("a-newcomer.yaml"), valid("taken").replace("window-days: 20", "window-days: 9"));
		PipelineCatalog.State state = catalog.reload();

		assertThat(state.pipelines()).containsKey("taken");
		assertThat(catalog.get("taken").windowDays()).as("the incumbent's definition").isEqualTo(20);
		assertThat(state.errors()).singleElement()
			.satisfies(e -> assertThat(e.getMessage()).contains("a-newcomer.yaml")
				.contains("pipeline name 'taken' is already defined by")
				.contains("b-original.yaml"));
	}

	@Test
	void twoNewFilesDeclaringOneNameAreBothRefused(@TempDir Path dir) throws IOException {
		Files.writeString(dir.resolve("one.yaml"), valid("twin"));
		Files.writeString(dir.resolve("two.yaml"), valid("twin"));
		PipelineCatalog.State state = new PipelineCatalog(dir).reload();
		assertThat(state.pipelines()).doesNotContainKey("twin");
		assertThat(state.errors()).hasSize(2);
	}

	@Test
	void aSearchDefaultsEachListToTheModelsOwnValue() {
		PipelineDefinition def = this.loader.parse(PipelineFixtures.yaml("s", "data/s", PipelineFixtures.GOOD_MODEL,
				"search:\n  selection-days: 3\n  windows-days: [10, 20]"), "s.yaml");
		var space = def.search().space();
		assertThat(space.windowsDays()).containsExactly(10, 20);
		assertThat(space.hiddenLayers()).containsExactly(java.util.List.of(16));
		assertThat(space.learningRates()).containsExactly(0.01);
		assertThat(space.epochs()).containsExactly(6);
		assertThat(space.seed()).isEqualTo(7);
		assertThat(space.candidates()).hasSize(2);
		assertThat(def.search().selectionDays()).isEqualTo(3);
	}

	@Test
	void aSearchThatAdmitsNoCandidateOrContradictsItselfIsRefusedWithEveryFieldNamed() {
		String yaml = PipelineFixtures.yaml("s", "data/s", PipelineFixtures.GOOD_MODEL, """
				search:
				  selection-days: 12
				  windows-days: [10, 40]
				  learning-rate: []
				  hidden-layers: [[16], [32, 16], [8]]
				  epochs: [5, 10]
				  max-candidates: 4
				  max-training-seconds: 0""");
		assertThatThrownBy(() -> this.loader.parse(yaml, "s.yaml"))
			.isInstanceOfSatisfying(PipelineConfigInvalid.class,
					ex -> assertThat(ex.problems()).extracting(ConfigProblem::field)
						.contains("search.windows-days[1]", "search.selection-days", "search.learning-rate",
								"search.max-candidates", "search.max-training-seconds"))
			.hasMessageContaining("40 is longer than data.window-days (20)")
			.hasMessageContaining(
					"12 (plus the out-of-time holdout's 4 days) must be shorter than the shortest window (10 days)")
			.hasMessageContaining("must list at least one value (an empty search space)")
			.hasMessageContaining("the grid has 12 candidates, more than max-candidates (4)");

		assertThatThrownBy(() -> this.loader.parse(
				PipelineFixtures.yaml("s", "data/s", PipelineFixtures.GOOD_MODEL, "search:\n  max-candidates: 0"),
				"s.yaml"))
			.hasMessageContaining("field 'search.selection-days': is required")
			.hasMessageContaining("field 'search.max-candidates': must be >= 1 (0 admits no candidate)");
		assertThatThrownBy(() -> this.loader.parse(PipelineFixtures.yaml("s", "data/s", PipelineFixtures.WEAK_MODEL,
				"search:\n  selection-days: 2\n  hidden-layers: [[4]]"), "s.yaml"))
			.hasMessageContaining("field 'search.hidden-layers': only for family mlp");
	}

}

package dev.retrain.jobs.retrain;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.ParquetTableWriter;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.store.ArtifactMetadata;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Multiclass and regression pipelines, with random and golden holdouts beside the
 * out-of-time one.
 */
class TasksAndHoldoutsTests extends RetrainTestSupport {

	static final LocalDate START = LocalDate.parse("2024-05-01");

	/**
	 * Ten days of rows with features a, b, tier and a class (argmax of three scores) and
	 * a value target.
	 */
	static void write(Path root, int days, int rowsPerDay, long seed) throws IOException {
		for (int d = 0; d < days; d++) {
			SplittableRandom rnd = new SplittableRandom(seed * 1000 + d);
			double[] a = new double[rowsPerDay];
			double[] b = new double[rowsPerDay];
			String[] tier = new String[rowsPerDay];
			String[] cls = new String[rowsPerDay];
			double[] value = new double[rowsPerDay];
			for (int i = 0; i < rowsPerDay; i++) {
				a[i] = rnd.nextGaussian();
				b[i] = rnd.nextGaussian();
				tier[i] = (rnd.nextDouble() < 0.5) ? "gold" : "silver";
				double bonus = tier[i].equals("gold") ? 1.0 : 0.0;
				cls[i] = (a[i] > 0.5) ? "high" : (a[i] < -0.5) ? "low" : "mid";
				value[i] = 3 * a[i] - 2 * b[i] + bonus + 0.1 * rnd.nextGaussian();
			}
			new ParquetTableWriter().doubles("a", a)
				.doubles("b", b)
				.strings("tier", tier)
				.strings("cls", cls)
				.doubles("value", value)
				.write(root.resolve("dt=" + START.plusDays(d)).resolve("part-0.parquet"));
		}
	}

	static String yaml(String name, String task, String label, String metric) {
		return """
				name: %s
				data:
				  path: %s
				  window-days: 10
				features:
				  - {name: a, type: numeric}
				  - {name: b, type: numeric}
				  - {name: tier, type: categorical}
				label:
				  column: %s
				  task: %s
				holdouts:
				  - {name: recent, type: out-of-time, days: 2}
				  - {name: sampled, type: random, fraction: 0.2, seed: 3}
				  - {name: golden, type: golden, path: %s-golden}
				model:
				  family: mlp
				  hidden-layers: [16]
				  epochs: 15
				  batch-size: 64
				  learning-rate: 0.02
				  early-stopping: {patience: 0}
				validation: {min-rows: 100, min-rows-per-class: 10}
				promotion: {metric: %s}
				""".formatted(name, name, label, task, name, metric);
	}

	@Test
	void multiclassPipelineIsMeasuredOnOutOfTimeRandomAndGoldenHoldouts() throws IOException {
		write(DATA_DIR.resolve("tri"), 10, 80, 1);
		write(DATA_DIR.resolve("tri-golden"), 1, 120, 99);
		definePipeline("tri", yaml("tri", "multiclass", "cls", "accuracy"));

		RunRecord run = run("tri", START.plusDays(9), null);

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		ArtifactMetadata meta = this.store.metadata("tri", 1);
		assertThat(meta.label().classes()).containsExactly("high", "low", "mid");
		assertThat(meta.shape().outputs()).isEqualTo(3);
		assertThat(meta.candidateMetrics()).containsOnlyKeys("recent", "sampled", "golden");
		assertThat(meta.candidateMetrics().get("recent").get("rows")).isEqualTo(160.0);
		assertThat(meta.candidateMetrics().get("golden").get("rows")).isEqualTo(120.0);
		assertThat(meta.candidateMetrics().get("sampled").get("rows")).isBetween(80.0, 170.0);
		assertThat(meta.candidateMetrics().get("golden").get("accuracy")).isGreaterThan(0.85);
		assertThat(meta.training().trainRows() + meta.training().validationRows())
			.isEqualTo(800 - 160 - meta.candidateMetrics().get("sampled").get("rows").intValue());
	}

	@Test
	void regressionPipelineIsJudgedByRmse() throws IOException {
		write(DATA_DIR.resolve("val"), 10, 80, 2);
		write(DATA_DIR.resolve("val-golden"), 1, 120, 98);
		definePipeline("val", yaml("val", "regression", "value", "rmse"));

		RunRecord run = run("val", START.plusDays(9), null);

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		ArtifactMetadata meta = this.store.metadata("val", 1);
		assertThat(meta.candidateMetrics().get("golden")).containsKeys("rmse", "mae").doesNotContainKey("accuracy");
		assertThat(meta.candidateMetrics().get("golden").get("rmse")).isLessThan(1.0);
		assertThat(this.registry.version("val", 1).orElseThrow().primaryMetric()).isEqualTo("rmse");
	}

	@Test
	void aGoldenPrimaryHoldoutLargerThanASliceIsStreamedAndSampledAsIfReadWhole() throws IOException {
		write(DATA_DIR.resolve("gold"), 10, 80, 3);
		write(DATA_DIR.resolve("gold-golden"), 1, 70_000, 97);
		String golden = "  - {name: golden, type: golden, path: gold-golden}\n";
		String yaml = yaml("gold", "regression", "value", "rmse").replace(golden, "")
			.replace("holdouts:\n", "holdouts:\n" + golden);
		definePipeline("gold", yaml);

		RunRecord run = run("gold", START.plusDays(9), null);

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		ArtifactMetadata meta = this.store.metadata("gold", 1);
		// every golden row scored (two 64k-row slices of one file), and the golden set is
		// the primary holdout
		assertThat(meta.candidateMetrics().get("golden").get("rows")).isEqualTo(70_000.0);
		assertThat(this.registry.version("gold", 1).orElseThrow().primaryMetric()).isEqualTo("rmse");
		// the reference's holdout rows are the ones a whole read would have sampled: same
		// ordinals, same values
		Path goldenDir = DATA_DIR.resolve("gold-golden");
		List<ColumnRequest> a = List.of(ColumnRequest.numeric("a"));
		Table whole = new ParquetTableReader(goldenDir).read(new PartitionedDirectory(goldenDir).resolveAll(), a);
		double[] expected = whole.select(ReferenceSample.sample(70_000, 50_000, 42 + 1)).numeric("a").values();
		ReferenceSample ref = ReferenceSample.read(this.store.versionDir("gold", 1).resolve(ReferenceSample.FILE), a);
		assertThat(ref.holdout().numeric("a").values()).hasSize(50_000).containsExactly(expected);
	}

}

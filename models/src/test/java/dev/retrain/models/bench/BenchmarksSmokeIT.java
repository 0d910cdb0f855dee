package dev.retrain.models.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the benchmarks from rotting: runs them at a tiny size inside the normal build. It
 * checks that both sides ran on the same data (the ingest benchmark fails if the readers
 * disagree) and that the reports are written. It asserts no speed: speed is for the full
 * run (see README).
 */
class BenchmarksSmokeIT {

	@Test
	void benchmarksRunAndReportAtSmokeSize(@TempDir Path out) throws Exception {
		List<Benchmarks.Result> results = Benchmarks.run(5_000, 2_000, 1, out);
		assertThat(results.get(1).name()).contains("2 thread(s)");

		assertThat(results).hasSize(5);
		assertThat(results.get(4).name()).contains("TorchScript module");
		assertThat(results.get(2).name()).contains("Parquet from S3");
		assertThat(results).allSatisfy(r -> {
			assertThat(r.ours()).isPositive();
			assertThat(r.peer()).isPositive();
		});
		assertThat(Files.readString(out.resolve("results.md"))).contains("DuckDB")
			.contains("bare DJL loop")
			.contains("the same reader on local disk");
		assertThat(Files.readString(out.resolve("results.json"))).contains("\"ratio\"");
	}

	@Test
	void memoryChildTrainsFromStreamedRowGroupsInASmallHeap(@TempDir Path out) throws Exception {
		Path data = Benchmarks.data(out, 40_000);
		MemoryBenchmark.Result r = MemoryBenchmark.runChild(data, 40_000, "stream", "128m", out);

		assertThat(r.outcome()).isEqualTo("ok");
		assertThat(r.trainRows()).isEqualTo(40_000);
		assertThat(r.peakHeapBytes()).isPositive().isLessThanOrEqualTo(128L << 20);
		assertThat(MemoryBenchmark.markdown(List.of(r))).contains("streamed row groups");
	}

	@Test
	void driftStatisticsAgreeWithScipyOnTheSameData(@TempDir Path out) throws Exception {
		Assumptions.assumeTrue(System.getenv("CI") != null || scipyAvailable(),
				"python3 with numpy and scipy is not on this machine (CI has them)");
		DriftBenchmark.Result r = DriftBenchmark.run(out, 20_000, 3_000, 4, 1);
		assertThat(r.maxAbsDifference()).isLessThanOrEqualTo(1e-9);
		assertThat(r.ours()).hasSize(12).allSatisfy(v -> assertThat(v).isFinite());
	}

	static boolean scipyAvailable() {
		try {
			return new ProcessBuilder("python3", "-c", "import numpy, scipy.stats").start().waitFor() == 0;
		}
		catch (Exception ex) {
			return false;
		}
	}

}

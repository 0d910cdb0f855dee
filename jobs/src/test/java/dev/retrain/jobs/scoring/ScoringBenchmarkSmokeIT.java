package dev.retrain.jobs.scoring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the scoring benchmark from rotting: a small partition, both sides in child JVMs,
 * every row scored, the ratio reported.
 */
class ScoringBenchmarkSmokeIT {

	@Test
	void bothSidesScoreEveryRowInChildJvmsAndTheRatioIsReported(@TempDir Path out) throws Exception {
		List<ScoringBenchmark.Outcome> outcomes = ScoringBenchmark.run(out, 40_000, "256m", 1);

		assertThat(outcomes).extracting(ScoringBenchmark.Outcome::how).containsExactly("job", "bare", "job", "job");
		assertThat(outcomes).allSatisfy(o -> {
			assertThat(o.outcome()).as("see the logs in " + out.resolve("scoring")).isEqualTo("ok");
			assertThat(o.rowsPerSecond()).isPositive();
		});
		assertThat(Files.readString(out.resolve("scoring.md"))).contains("Ratio (job / bare, rows/s) per repeat")
			.containsPattern(
					"\\| 1 \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\|")
			.contains("Median job / sum of parts");
	}

}

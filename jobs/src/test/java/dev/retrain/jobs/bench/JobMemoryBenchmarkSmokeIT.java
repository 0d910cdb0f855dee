package dev.retrain.jobs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the job memory benchmark from rotting: a tiny window, one small heap, both sides
 * in child JVMs.
 */
class JobMemoryBenchmarkSmokeIT {

	@Test
	void theRetrainJobRunsInAChildJvmWithASmallHeapAndBothSidesAreReported(@TempDir Path out) throws Exception {
		List<JobMemoryBenchmark.Outcome> outcomes = JobMemoryBenchmark.run(out, 3_000, 4, List.of("192m"));

		assertThat(outcomes).extracting(JobMemoryBenchmark.Outcome::how).containsExactly("job", "whole");
		JobMemoryBenchmark.Outcome job = outcomes.get(0);
		assertThat(job.outcome()).as("see " + out.resolve("job-memory/job-192m.log")).isEqualTo("ok");
		assertThat(job.accuracy()).isBetween(0.5, 1.0);
		assertThat(outcomes.get(1).outcome()).isEqualTo("ok");
		assertThat(Files.readString(out.resolve("job-memory.md"))).contains("retrain job (streams)").contains("192m");
	}

}

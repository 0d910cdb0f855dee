package dev.retrain.orchestrator.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Keeps the drift burst benchmark from rotting (docs/capacity.md): a small burst with
 * duplicates from concurrent clients, no speed asserted. Every request is answered 202,
 * every distinct event is recorded once and decided, each pipeline gets exactly one run.
 */
class DriftBurstBenchmarkSmokeIT {

	@BeforeAll
	static void postgres() {
		TestPostgres.require(false);
	}

	@Test
	void everyEventIsAnsweredAndRecordedOnceWithOneRunPerPipeline(@TempDir Path out) throws Exception {
		int events = 120;
		int pipelines = 3;
		DriftBurstBenchmark.Result r = DriftBurstBenchmark.run(events, pipelines, 8, 2,
				"-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", out);

		assertThat(r.bursts()).hasSize(2).allSatisfy(b -> {
			assertThat(b.statuses()).containsExactly(entry(202, events));
			assertThat(b.outcomes().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(events);
			assertThat(b.duplicatesAnswered()).isEqualTo(events / 2);
			// the first copy of each event is answered with its decision
			assertThat(b.originalOutcomes().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(events / 2);
			assertThat(b.originalOutcomes()).doesNotContainKey("RECEIVED");
		});
		assertThat(r.bursts().get(0).originalOutcomes()).containsEntry("STARTED_RUN", pipelines);
		assertThat(r.bursts().get(1).originalOutcomes()).containsOnlyKeys("SUPPRESSED_COOLDOWN");
		assertThat(r.recordedEvents()).isEqualTo(r.distinctEvents()).isEqualTo(events);
		assertThat(r.undecided()).isZero();
		assertThat(r.recordedOutcomes()).containsEntry("STARTED_RUN", (long) pipelines);
		assertThat(r.pipelinesWithOneRun()).isEqualTo(pipelines);
		assertThat(r.driftRuns()).isEqualTo(pipelines);
		assertThat(r.runStatuses()).containsOnlyKeys("COMPLETED");
		assertThat(r.memory()).hasSize(3).allSatisfy(m -> assertThat(m.heapMiB()).isPositive());
		assertThat(Files.readString(out.resolve("drift-burst.md"))).contains("heap in use after a full GC");
	}

}

package dev.retrain.orchestrator.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the cron fleet benchmark from rotting (docs/capacity.md): a few schedules firing
 * at the same second on two node JVMs, twice, four seconds apart (the first ten seconds
 * after both nodes are up, time enough to reload four files); no speed asserted. Every
 * fire has exactly one outcome (a run or a skip by the one-run rule), none fired twice or
 * missing, every run completed, and every fire's end recorded by Quartz (none left in its
 * fired triggers).
 */
class CronFleetBenchmarkSmokeIT {

	@BeforeAll
	static void postgres() {
		TestPostgres.require(false);
	}

	@Test
	void everyFireOfEverySlotRunsOrIsSkippedExactlyOnce(@TempDir Path out) throws Exception {
		int n = 4;
		CronFleetBenchmark.Result r = CronFleetBenchmark.run(n, 2, Duration.ofSeconds(4), Duration.ofSeconds(10),
				"-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", List.of(), out);

		assertThat(r.duplicates()).as("fired twice").isZero();
		assertThat(r.missing()).as("fires without a run or a skip").isZero();
		assertThat(r.couldNotStart()).isZero();
		assertThat(r.otherSlots()).isZero();
		assertThat(r.runs() + r.skipped()).isEqualTo(2 * n);
		assertThat(r.runs()).isGreaterThanOrEqualTo(n);
		assertThat(r.lagMs()).hasSize(r.runs()).allSatisfy(lag -> assertThat(lag).isGreaterThanOrEqualTo(0));
		assertThat(r.statuses()).containsOnlyKeys("COMPLETED");
		assertThat(r.firedTriggersLeft()).as("fires whose end Quartz did not record").isZero();
		assertThat(Files.readString(out.resolve("cron-fleet.md"))).contains("slot to run record");
	}

}

package dev.retrain.orchestrator.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the pipeline files benchmark from rotting (docs/capacity.md): a few files, no
 * speed asserted; every start loads every file and reconciles the schedules as expected,
 * and the stored triggers follow the edited files.
 */
class PipelineFilesBenchmarkSmokeIT {

	@BeforeAll
	static void postgres() {
		TestPostgres.require(false);
	}

	@Test
	void startsRestartsAndReloadsWithEverySchedule(@TempDir Path out) throws Exception {
		int n = 5;
		PipelineFilesBenchmark.Result r = PipelineFilesBenchmark.run(n,
				"-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1", false, false, out);

		assertThat(r.phases()).extracting(PipelineFilesBenchmark.Phase::pipelines).containsExactly(n, n, n, n);
		assertThat(r.phases()).extracting(PipelineFilesBenchmark.Phase::changes).containsExactly(n, 0, n, 0);
		assertThat(r.phases()).allSatisfy(p -> assertThat(p.wallMs()).isPositive());
		assertThat(r.storedCrons()).hasSize(n);
		for (int i = 0; i < n; i++) {
			// the edited files' crons (January the 2nd), stored as Quartz keeps them
			assertThat(r.storedCrons()).containsEntry(PipelineFilesBenchmark.name(i),
					PipelineFilesBenchmark.cron(i, 2));
		}
		assertThat(Files.readString(out.resolve("pipeline-files.md"))).contains("reload, nothing changed");
	}

}

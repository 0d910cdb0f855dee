package dev.retrain.jobs.drift;

import java.io.IOException;
import java.time.LocalDate;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.generator.SampleDataSpec;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionWatchTests extends RetrainTestSupport {

	@Autowired
	PartitionWatch watch;

	@Test
	void aNewPartitionStartsARetrainForItsDayOnce() throws IOException {
		PipelineFixtures.sampleData(DATA_DIR, "landing", 150, 51);
		definePipeline("landing", PipelineFixtures.yaml("landing", "landing", PipelineFixtures.GOOD_MODEL,
				"drift:\n  on-new-partition: retrain"));

		assertThat(this.watch.poll("landing")).as("the first poll only records what is there").isEmpty();
		assertThat(this.watch.poll("landing")).isEmpty();

		LocalDate newDay = PipelineFixtures.LAST.plusDays(1);
		new SampleDataGenerator().writeDay(DATA_DIR.resolve("landing"),
				SampleDataSpec.stable(PipelineFixtures.START, 30, 150, 51), newDay);
		Optional<LocalDate> acted = this.watch.poll("landing");
		assertThat(acted).contains(newDay);
		assertThat(this.watch.poll("landing")).as("acts once per partition").isEmpty();

		RunRecord run = this.runs.recent("landing", 1).get(0);
		assertThat(run.trigger()).isEqualTo("data");
		assertThat(run.asOf()).isEqualTo(newDay);
		assertThat(run.cause()).contains("new partition dt=" + newDay);
		assertThat(awaitEnd(run.runId()).status()).isEqualTo("COMPLETED");
	}

}

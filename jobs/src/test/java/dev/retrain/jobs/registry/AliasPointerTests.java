package dev.retrain.jobs.registry;

import java.nio.file.Files;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.consistency.ConsistencyCheck;
import dev.retrain.jobs.consistency.ConsistencyCheck.Disagreement;
import dev.retrain.jobs.consistency.ConsistencyCheck.Kind;
import dev.retrain.jobs.runs.RunRecord;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's copy of the champion alias follows every move the registry makes (a
 * promotion by a run, a rollback by a person); one that went missing is reported by the
 * consistency check and rewritten when a node starts.
 */
class AliasPointerTests extends RetrainTestSupport {

	@Autowired
	RegistryOperations operations;

	@Autowired
	AliasPointers pointers;

	@Autowired
	ConsistencyCheck check;

	@Test
	void theStoresChampionPointerFollowsTheRegistry() throws Exception {
		sampleData(DATA_DIR, "pointed", 150, 43);
		definePipeline("pointed", yaml("pointed", "pointed", GOOD_MODEL, ""));
		RunRecord first = run("pointed", LAST, "first");
		assertThat(first.status()).as(first.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.store.readAlias("pointed", "champion")).contains(1);
		RunRecord second = run("pointed", LAST, "second");
		assertThat(second.status()).as(second.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.store.readAlias("pointed", "champion")).isEqualTo(this.registry.champion("pointed"));
		if (this.registry.champion("pointed").orElseThrow() == 1) {
			this.operations.promote("pointed", 2, 1, "alice", "test", true);
		}
		assertThat(this.store.readAlias("pointed", "champion")).contains(2);

		this.operations.rollback("pointed", 2, "alice", "test");
		assertThat(this.store.readAlias("pointed", "champion")).contains(1);

		Files.delete(this.store.root().resolve("pointed/aliases/champion.json"));
		assertThat(this.check.run().disagreements()).filteredOn(d -> d.pipeline().equals("pointed"))
			.containsExactly(new Disagreement(Kind.CHAMPION_POINTER_STALE, "pointed", "champion",
					"the registry's champion is v1, the store's pointed/aliases/champion.json says nothing (it is missing)"));
		this.pointers.sync();
		assertThat(this.store.readAlias("pointed", "champion")).contains(1);
		assertThat(this.check.run().disagreements()).noneMatch(d -> d.pipeline().equals("pointed"));
	}

}

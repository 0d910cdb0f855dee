package dev.retrain.jobs.registry;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.consistency.ConsistencyCheck;
import dev.retrain.jobs.consistency.ConsistencyCheck.Kind;
import dev.retrain.jobs.runs.RunRecord;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's copy of the champion alias follows every move the registry makes (a
 * promotion by a run, a rollback by a person); one that went missing or fell behind a
 * move the node did not learn of is rewritten by the consistency check (listed only when
 * it cannot be written) and when a node starts.
 */
class AliasPointerTests extends RetrainTestSupport {

	@Autowired
	RegistryOperations operations;

	@Autowired
	AliasPointers pointers;

	@Autowired
	ConsistencyCheck check;

	@Autowired
	JdbcTemplate jdbc;

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

		// a pointer that went missing: the check rewrites it from the registry
		Files.delete(this.store.root().resolve("pointed/aliases/champion.json"));
		assertThat(this.check.run().disagreements()).noneMatch(d -> d.pipeline().equals("pointed"));
		assertThat(this.store.readAlias("pointed", "champion")).contains(1);

		// a move whose commit reached the database while this node learnt nothing of it
		// (a cut connection answered the caller with an error): no event, the registry
		// says v2, the store still v1. The next check mends it without a restart.
		this.jdbc.update("UPDATE model_alias SET version = 2 WHERE pipeline = 'pointed' AND alias = 'champion'");
		assertThat(this.store.readAlias("pointed", "champion")).contains(1);
		assertThat(this.check.run().disagreements()).noneMatch(d -> d.pipeline().equals("pointed"));
		assertThat(this.store.readAlias("pointed", "champion")).contains(2);

		// a pointer the check cannot write is listed
		this.jdbc.update("UPDATE model_alias SET version = 1 WHERE pipeline = 'pointed' AND alias = 'champion'");
		Path aliases = this.store.root().resolve("pointed/aliases");
		FileSystemUtils.deleteRecursively(aliases);
		Files.writeString(aliases, "not a directory");
		assertThat(this.check.run().disagreements()).filteredOn(d -> d.pipeline().equals("pointed"))
			.singleElement()
			.satisfies(d -> assertThat(d.kind()).isEqualTo(Kind.CHAMPION_POINTER_STALE));
		Files.delete(aliases);
		this.pointers.sync();
		assertThat(this.store.readAlias("pointed", "champion")).contains(1);
	}

}

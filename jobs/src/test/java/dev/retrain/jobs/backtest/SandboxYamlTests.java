package dev.retrain.jobs.backtest;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.pipeline.DriftPolicy;
import dev.retrain.jobs.pipeline.HoldoutSpec;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineLoader;
import dev.retrain.models.committee.CommitteeSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pipeline file as a policy's sandbox sees it, edited as a YAML tree. */
class SandboxYamlTests {

	static final Path DATA = Path.of("/var/backtest/data/history").toAbsolutePath();

	static final String SCHEDULED_WITH_DRIFT = """
			# the live pipeline's own schedule and drift checks: a sandbox has the policy's instead
			schedule:
			  cron: "0 0 2 * * ?"
			drift:
			  current-days: 7
			  alpha: 0.01
			  cooldown-hours: 24
			""";

	private final PipelineLoader loader = new PipelineLoader();

	@Test
	void theDataPathIsMadeAbsoluteThePoliciesDriftSectionReplacesThePipelinesAndTheScheduleGoes() {
		String live = PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, SCHEDULED_WITH_DRIFT);
		BacktestPolicy policy = policy("""
				  - name: drift
				    type: drift
				    drift: {current-days: 10, alpha: 0.05, trigger-on: [input], cooldown-hours: 360}
				""");

		PipelineDefinition sandbox = this.loader.parse(SandboxYaml.of(live, DATA, policy), "sandbox");

		PipelineDefinition original = this.loader.parse(live, "live");
		assertThat(original.schedule()).isNotNull();
		assertThat(sandbox.dataPath()).isEqualTo(DATA.toString());
		assertThat(sandbox.schedule()).isNull();
		assertThat(sandbox.drift().currentDays()).isEqualTo(10);
		assertThat(sandbox.drift().alpha()).isEqualTo(0.05);
		assertThat(sandbox.drift().cooldownHours()).isEqualTo(360);
		assertThat(sandbox.drift().triggerOn()).containsExactly(DriftPolicy.Signal.INPUT);
		// everything else is the live pipeline's, to the value
		assertThat(sandbox).usingRecursiveComparison()
			.ignoringFields("data.path", "schedule", "drift", "origin")
			.isEqualTo(original);
	}

	@Test
	void aPolicysSearchReplacesThePipelinesOrTurnsItOffAndWithoutOneThePipelinesIsKept() {
		String live = PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, """
				search:
				  selection-days: 3
				  learning-rate: [0.01, 0.05]""");
		List<BacktestPolicy> policies = PolicyFile.parse("""
				policies:
				  - {name: keeps, type: schedule, cron: "0 0 0 1 1 ?"}
				  - {name: off, type: schedule, cron: "0 0 0 1 1 ?", search: false}
				  - name: other
				    type: schedule
				    cron: "0 0 0 1 1 ?"
				    search: {selection-days: 2, windows-days: [9, 20]}
				""").toPolicies();

		PipelineDefinition keeps = this.loader.parse(SandboxYaml.of(live, DATA, policies.get(0)), "keeps");
		PipelineDefinition off = this.loader.parse(SandboxYaml.of(live, DATA, policies.get(1)), "off");
		PipelineDefinition other = this.loader.parse(SandboxYaml.of(live, DATA, policies.get(2)), "other");

		assertThat(keeps.search().space().candidates()).extracting(c -> c.learningRate()).containsExactly(0.01, 0.05);
		assertThat(off.search()).isNull();
		assertThat(other.search().selectionDays()).isEqualTo(2);
		assertThat(other.search().space().candidates()).extracting(c -> c.windowDays()).containsExactly(9, 20);
		assertThat(policies.get(1).describe()).endsWith("without the pipeline's search");
		assertThat(policies.get(2).describe()).contains("search (in place of the pipeline's):")
			.contains("selection-days: 2");
	}

	@Test
	void aPolicysCommitteeReplacesThePipelinesOrTurnsItOffAndWithoutOneThePipelinesIsKept() {
		String live = PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, "")
			.replace("  guards:\n", "  committee: {size: 4, weighting: best-recent}\n  guards:\n");
		List<BacktestPolicy> policies = PolicyFile.parse("""
				policies:
				  - {name: keeps, type: schedule, cron: "0 0 0 1 1 ?"}
				  - {name: alone, type: schedule, cron: "0 0 0 1 1 ?", committee: false}
				  - name: hedge
				    type: schedule
				    cron: "0 0 0 1 1 ?"
				    committee: {size: 3, weighting: hedge, eta: 2}
				  - name: shared
				    type: schedule
				    cron: "0 0 0 1 1 ?"
				    committee: {size: 3, weighting: hedge, eta: 2, share: 0.05}
				""").toPolicies();

		PipelineDefinition keeps = this.loader.parse(SandboxYaml.of(live, DATA, policies.get(0)), "keeps");
		PipelineDefinition alone = this.loader.parse(SandboxYaml.of(live, DATA, policies.get(1)), "alone");
		PipelineDefinition hedge = this.loader.parse(SandboxYaml.of(live, DATA, policies.get(2)), "hedge");

		assertThat(keeps.committee()).isEqualTo(new CommitteeSpec(4, CommitteeSpec.Weighting.BEST_RECENT, 5.0));
		assertThat(alone.committee()).isNull();
		assertThat(hedge.committee()).isEqualTo(new CommitteeSpec(3, CommitteeSpec.Weighting.HEDGE, 2.0));
		PipelineDefinition shared = this.loader.parse(SandboxYaml.of(live, DATA, policies.get(3)), "shared");
		assertThat(shared.committee()).isEqualTo(new CommitteeSpec(3, CommitteeSpec.Weighting.HEDGE, 2.0, 0.05));
		assertThat(policies.get(3).describe()).endsWith("size: 3, weighting: hedge, eta: 2, share: 0.05");
		// the rest of the promotion section is the pipeline's
		assertThat(hedge.promotion()).isEqualTo(keeps.promotion());
		assertThat(policies.get(1).describe()).endsWith("the champion alone (no committee)");
		assertThat(policies.get(2).describe()).contains("committee (in place of the pipeline's): ")
			.endsWith("size: 3, weighting: hedge, eta: 2");
	}

	@Test
	void aPolicyWithoutDriftChecksGetsNoDriftSectionAndCommentsAreNotKept() {
		String live = PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, SCHEDULED_WITH_DRIFT);

		String yaml = SandboxYaml.of(live, DATA, BacktestPolicy.never("train-once"));

		assertThat(yaml).doesNotContain("drift").doesNotContain("schedule").doesNotContain("#");
		PipelineDefinition withoutDrift = this.loader
			.parse(PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, ""), "no drift section");
		assertThat(this.loader.parse(yaml, "sandbox").drift()).isEqualTo(withoutDrift.drift());
	}

	@Test
	void onlyTheDataPathIsRewrittenWhateverTheLayout() {
		String live = PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, "")
			.replace("data:\n  path: history\n  window-days: 20\n", "data: {path: history, window-days: 20}\n")
			.replace("    days: 4\n", "    days: 4\n  - name: audit\n    type: golden\n    path: audit/holdout\n");

		PipelineDefinition sandbox = this.loader.parse(SandboxYaml.of(live, DATA, BacktestPolicy.never("n")),
				"sandbox");

		assertThat(sandbox.dataPath()).isEqualTo(DATA.toString());
		assertThat(sandbox.windowDays()).isEqualTo(20);
		assertThat(sandbox.holdouts()).extracting(HoldoutSpec::path).containsExactly(null, "audit/holdout");
	}

	@Test
	void aDriftSectionThatIsNotYamlIsRefusedNamingThePolicy() {
		BacktestPolicy bad = new BacktestPolicy("d", BacktestPolicy.Type.DRIFT, null, "alpha: [0.05", 0);

		assertThatThrownBy(() -> SandboxYaml
			.of(PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, ""), DATA, bad))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageStartingWith("policy 'd': the drift section is not valid YAML");
	}

	private static BacktestPolicy policy(String entry) {
		return PolicyFile.parse("policies:\n" + entry).toPolicies().get(0);
	}

}

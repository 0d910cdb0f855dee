package dev.retrain.jobs.registry;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.registry.CommitteeRegistry.Update;
import dev.retrain.models.committee.CommitteeSpec;
import dev.retrain.models.promotion.PromotionDecision;
import dev.retrain.models.promotion.PromotionDecision.Outcome;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/**
 * The committee as a registry object on the real database: each promotion lets the new
 * champion in (the oldest out past K), labels move the weights by Hedge, every change is
 * a row of history with its revision, a refused update changes nothing, and retention
 * keeps the members.
 */
class CommitteeRegistryTests extends RetrainTestSupport {

	@Autowired
	CommitteeRegistry committees;

	@Autowired
	RegistryOperations operations;

	private static ModelVersion.Transition winner(String pipeline, int version, Integer seen) {
		return ModelVersion.register(
				new ModelVersion.Candidate(pipeline, version, Instant.now(), 300 + version, 400 + version, "RETRAIN",
						null, "ds", "h", "roc_auc", 0.9, "{}", "/nowhere"),
				new PromotionDecision(Outcome.PROMOTE, "promoted: better", List.of()), seen, seen, false);
	}

	@Test
	void promotionsEnterLabelsMoveTheWeightsEveryChangeIsKeptAndRetentionKeepsTheMembers() {
		// eta = ln 2: a loss of 1 halves a weight
		definePipeline("voted", yaml("voted", "voted", GOOD_MODEL, "retention: {keep-last: 1}").replace("  guards:\n",
				"  committee: {size: 3, weighting: hedge, eta: " + Math.log(2) + "}\n  guards:\n"));
		for (int v = 1; v <= 4; v++) {
			assertThat(this.registry.register(winner("voted", v, (v == 1) ? null : v - 1)).decision())
				.isEqualTo(Decision.PROMOTE);
		}
		// v1: 1; v2 enters with the mean 1: 1/2, 1/2; v3 with 1/2: 1/3 each; v4 with 1/3:
		// 1/4 each, v1 leaves: 1/3 each
		CommitteeRegistry.State state = this.committees.current("voted").orElseThrow();
		assertThat(state.weights().spec()).isEqualTo(new CommitteeSpec(3, CommitteeSpec.Weighting.HEDGE, Math.log(2)));
		assertThat(state.byVersion()).containsOnlyKeys(2, 3, 4);
		state.byVersion().values().forEach(w -> assertThat(w).isCloseTo(1.0 / 3, within(1e-12)));
		assertThat(state.revision()).isEqualTo(4);

		// labels of two days: losses 1, 0, 1 -> 1/6, 1/3, 1/6 -> 1/4, 1/2, 1/4
		LocalDate from = LocalDate.parse("2024-03-01");
		LocalDate to = LocalDate.parse("2024-03-02");
		CommitteeRegistry.State after = this.committees.update("voted", Map.of(2, 1.0, 3, 0.0, 4, 1.0),
				"label join of 2024-03-01..2024-03-02", from, to);
		assertThat(after.revision()).isEqualTo(5);
		assertThat(this.committees.current("voted").orElseThrow().byVersion()).isEqualTo(after.byVersion());
		assertThat(after.byVersion().get(2)).isCloseTo(0.25, within(1e-12));
		assertThat(after.byVersion().get(3)).isCloseTo(0.5, within(1e-12));
		assertThat(after.byVersion().get(4)).isCloseTo(0.25, within(1e-12));

		// a member without a loss: refused, nothing changes
		assertThatThrownBy(() -> this.committees.update("voted", Map.of(2, 0.0), "partial", from, to))
			.hasMessageContaining("no loss for member v3");
		assertThat(this.committees.current("voted").orElseThrow().revision()).isEqualTo(5);

		// every change, in order: when, what, from which labels, the losses, the weights
		List<Update> history = this.committees.history("voted");
		assertThat(history).extracting(Update::revision, Update::kind, Update::labelsFrom, Update::labelsTo)
			.containsExactly(tuple(1L, "ADMIT", null, null), tuple(2L, "ADMIT", null, null),
					tuple(3L, "ADMIT", null, null), tuple(4L, "ADMIT", null, null), tuple(5L, "LABELS", from, to));
		assertThat(history.get(0).source()).contains("v1 became champion");
		assertThat(history.get(3).weights()).containsOnlyKeys(2, 3, 4);
		assertThat(history.get(4).losses()).containsEntry(2, 1.0).containsEntry(3, 0.0).containsEntry(4, 1.0);
		assertThat(history.get(4).weights()).isEqualTo(after.byVersion());
		assertThat(history.get(4).source()).isEqualTo("label join of 2024-03-01..2024-03-02");

		// retention (keep the newest 1): v4 is champion, v3 previous, v2 only a member;
		// v1 left the committee and goes
		RetentionPlan plan = this.operations.retention("voted");
		assertThat(plan.kept()).containsEntry(2, "a member of the committee");
		assertThat(plan.delete()).containsExactly(1);

		// a member leaves (what a rollback away from v4 does, CommitteeMembership; the
		// versions here have no files to roll back to): v2 and v3 keep their weights,
		// normalised again (1/4, 1/2 -> 1/3, 2/3), as a RETIRE change
		assertThat(this.committees.retire("voted", 4, "v4 rolled back to v3 by alice")).isPresent();
		CommitteeRegistry.State retired = this.committees.current("voted").orElseThrow();
		assertThat(retired.byVersion()).containsOnlyKeys(2, 3);
		assertThat(retired.byVersion().get(2)).isCloseTo(1.0 / 3, within(1e-12));
		assertThat(retired.byVersion().get(3)).isCloseTo(2.0 / 3, within(1e-12));
		Update last = this.committees.history("voted").get(5);
		assertThat(last.kind()).isEqualTo("RETIRE");
		assertThat(last.source()).isEqualTo("v4 rolled back to v3 by alice");
		// no longer a member, or a member entering again: nothing changes, nothing
		// recorded
		assertThat(this.committees.retire("voted", 4, "again")).isEmpty();
		this.committees.admit("voted", retired.weights().spec(), 3, "v3 again");
		assertThat(this.committees.current("voted").orElseThrow().revision()).isEqualTo(retired.revision());
		assertThat(this.committees.history("voted", 2)).extracting(Update::revision).containsExactly(5L, 6L);
	}

	@Test
	void aFixedShareIsKeptWithTheCommitteeAndMovesTheWeightsOnLabels() {
		// eta = ln 2, share 1/4: after the Hedge step w <- 3/4 w + 1/(4n)
		definePipeline("shared", yaml("shared", "shared", GOOD_MODEL, "").replace("  guards:\n",
				"  committee: {size: 2, weighting: hedge, eta: " + Math.log(2) + ", share: 0.25}\n  guards:\n"));
		this.registry.register(winner("shared", 1, null));
		this.registry.register(winner("shared", 2, 1));
		CommitteeRegistry.State state = this.committees.current("shared").orElseThrow();
		assertThat(state.weights().spec())
			.isEqualTo(new CommitteeSpec(2, CommitteeSpec.Weighting.HEDGE, Math.log(2), 0.25));
		// 1/2, 1/2; losses 1, 0: Hedge 1/3, 2/3; 3/4 * 1/3 + 1/8 = 3/8, 3/4 * 2/3 + 1/8 =
		// 5/8
		CommitteeRegistry.State after = this.committees.update("shared", Map.of(1, 1.0, 2, 0.0), "labels",
				LocalDate.parse("2024-03-01"), LocalDate.parse("2024-03-01"));
		assertThat(after.byVersion().get(1)).isCloseTo(3.0 / 8, within(1e-12));
		assertThat(after.byVersion().get(2)).isCloseTo(5.0 / 8, within(1e-12));
		CommitteeRegistry.State read = this.committees.current("shared").orElseThrow();
		assertThat(read.weights()).isEqualTo(after.weights());
		assertThat(read.weights().spec().share()).isEqualTo(0.25);
		assertThat(this.committees.served("shared", 2).orElseThrow().spec().share()).isEqualTo(0.25);
	}

	@Test
	void aPipelineWithoutACommitteeHasNoneAndCannotBeWeighed() {
		definePipeline("alone", yaml("alone", "alone", GOOD_MODEL, ""));
		this.registry.register(winner("alone", 1, null));

		assertThat(this.committees.current("alone")).isEmpty();
		assertThat(this.committees.history("alone")).isEmpty();
		assertThatThrownBy(() -> this.committees.update("alone", Map.of(1, 0.0), "x", null, null))
			.hasMessageContaining("alone has no committee to weigh");
	}

}

package dev.retrain.jobs.registry;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.retrain.models.promotion.PromotionDecision;
import dev.retrain.models.promotion.PromotionDecision.Outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The moves of a version's life: which are allowed from where, and what each raises. */
class ModelVersionTests {

	private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");

	private static ModelVersion.Candidate candidate(int version) {
		return new ModelVersion.Candidate("p", version, NOW, 10L + version, 20L + version, "RETRAIN", null, "ds",
				"hash", "accuracy", 0.9, "{}", "/store/p/v" + version);
	}

	private static ModelVersion registered(int version, Outcome outcome, boolean approval) {
		return ModelVersion
			.register(candidate(version), new PromotionDecision(outcome, outcome.name(), List.of()), 1, 1, approval)
			.version();
	}

	@Test
	void aWinnerIsRegisteredAsPromotedAndAsksForTheChampionAutomatically() {
		ModelVersion.Transition t = ModelVersion.register(candidate(2),
				new PromotionDecision(Outcome.PROMOTE, "promoted: better", List.of()), 1, 1, false);

		assertThat(t.version().decision()).isEqualTo(Decision.PROMOTE);
		assertThat(t.events()).hasSize(2);
		assertThat(t.events().get(0))
			.isEqualTo(new VersionRegistered("p", 2, Decision.PROMOTE, "promoted: better", 12L));
		assertThat(t.championMove())
			.isEqualTo(new ChampionChanged("p", 1, 2, "run 12", ChampionMove.AUTOMATIC, "promoted: better", 12L));
	}

	@Test
	void aWinnerWaitsForApprovalWhenThePipelineWantsIt() {
		ModelVersion.Transition t = ModelVersion.register(candidate(2),
				new PromotionDecision(Outcome.PROMOTE, "promoted: better", List.of()), 1, 1, true);

		assertThat(t.version().decision()).isEqualTo(Decision.PENDING);
		assertThat(t.version().awaitsApproval()).isTrue();
		assertThat(t.championMove()).isNull();
		assertThat(t.version().decisionSummary()).isEqualTo("waiting for approval: promoted: better");
	}

	@Test
	void aWinnerEvaluatedAgainstAChampionThatMovedIsAConflictEvenWhenApprovalIsWanted() {
		ModelVersion.Transition t = ModelVersion.register(candidate(3),
				new PromotionDecision(Outcome.PROMOTE, "promoted", List.of()), 1, 2, true);

		assertThat(t.version().decision()).isEqualTo(Decision.CONFLICT);
		assertThat(t.version().decisionSummary()).contains("from v1 to v2");
		assertThat(t.championMove()).isNull();
		assertThat(t.events()).containsExactly(
				new VersionRegistered("p", 3, Decision.CONFLICT, t.version().decisionSummary(), 13L),
				new PromotionConflicted("p", 3, 1, 2, 13L));
	}

	@Test
	void aLoserIsRegisteredAsRejectedOrHeldAndAsksForNothing() {
		assertThat(registered(2, Outcome.REJECT, false).decision()).isEqualTo(Decision.REJECT);
		ModelVersion.Transition held = ModelVersion.register(candidate(2),
				new PromotionDecision(Outcome.HOLD, "held", List.of()), 1, 2, false);
		assertThat(held.version().decision()).as("a held version is not a conflict").isEqualTo(Decision.HOLD);
		assertThat(held.championMove()).isNull();
	}

	@Test
	void aVersionThatFailedItsPolicyIsPromotedOnlyByForceAndIsMarkedForced() {
		ModelVersion rejected = registered(2, Outcome.REJECT, false);

		assertThatThrownBy(() -> rejected.promote(1, 1, false, "ann", "I know better", NOW))
			.isInstanceOf(IllegalTransition.class)
			.hasMessageContaining("failed its promotion policy");
		ModelVersion.Transition forced = rejected.promote(1, 1, true, "ann", "I know better", NOW);
		assertThat(forced.version().forced()).isTrue();
		assertThat(forced.championMove().move()).isEqualTo(ChampionMove.FORCED_PROMOTION);
		assertThat(forced.championMove().reason()).isEqualTo("forced promotion: I know better");
	}

	@Test
	void aVersionThatPassedIsPromotedWithoutForceAndNotMarkedForced() {
		ModelVersion conflict = registered(2, Outcome.PROMOTE, false).conflict(1, 3).version();

		ModelVersion.Transition t = conflict.promote(3, 3, true, "ann", "it did win", NOW);
		assertThat(t.version().forced()).isFalse();
		assertThat(t.championMove()).isEqualTo(
				new ChampionChanged("p", 3, 2, "ann", ChampionMove.PROMOTION, "manual promotion: it did win", null));
	}

	@Test
	void theChampionCannotBePromotedOrRolledBackTo() {
		ModelVersion v = registered(2, Outcome.PROMOTE, false);
		assertThatThrownBy(() -> v.promote(2, 2, true, "ann", "again", NOW)).isInstanceOf(IllegalTransition.class)
			.hasMessageContaining("already the champion");
		assertThatThrownBy(() -> v.rollback(2, 2, "ann", "again")).isInstanceOf(IllegalTransition.class);
	}

	@Test
	void aShadowThatWonOnRealLabelsMovesEvenIfItsRunsPolicyRejectedItButNotPastAPerson() {
		ModelVersion rejectedByPolicy = registered(2, Outcome.REJECT, false);
		ModelVersion.Transition t = rejectedByPolicy.promoteFromShadow(1, 1, false, "label join 7",
				"won 2 periods in a row");
		assertThat(t.championMove()).isEqualTo(new ChampionChanged("p", 1, 2, "label join 7",
				ChampionMove.SHADOW_PROMOTION, "shadow promotion: won 2 periods in a row", null));
		assertThat(t.version()).isEqualTo(rejectedByPolicy);

		assertThatThrownBy(() -> rejectedByPolicy.promoteFromShadow(2, 2, false, "label join 7", "won"))
			.isInstanceOf(IllegalTransition.class)
			.hasMessageContaining("already the champion");
		assertThatThrownBy(() -> rejectedByPolicy.promoteFromShadow(1, 1, true, "label join 7", "won"))
			.isInstanceOf(IllegalTransition.class)
			.hasMessageContaining("requires approval");
		ModelVersion pending = registered(3, Outcome.PROMOTE, true);
		assertThatThrownBy(() -> pending.promoteFromShadow(1, 1, false, "label join 7", "won"))
			.isInstanceOf(IllegalTransition.class)
			.hasMessageContaining("waits for a person's approval");
		ModelVersion turnedDown = pending.reject(1, "bob", "too risky", NOW).version();
		assertThatThrownBy(() -> turnedDown.promoteFromShadow(1, 1, false, "label join 7", "won"))
			.isInstanceOf(IllegalTransition.class)
			.hasMessageContaining("rejected by bob");
	}

	@Test
	void everyMoveByAPersonNeedsAReason() {
		ModelVersion pending = registered(2, Outcome.PROMOTE, true);
		assertThatThrownBy(() -> pending.approve(1, 1, "ann", " ", NOW)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> pending.reject(1, "ann", null, NOW)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> pending.promote(1, 1, false, "ann", "", NOW))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> pending.rollback(1, 1, "ann", "")).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void onlyAPendingVersionIsApprovedOrRejectedAndOnlyOnce() {
		ModelVersion pending = registered(2, Outcome.PROMOTE, true);

		ModelVersion.Transition approved = pending.approve(1, 1, "ann", "looks right", NOW);
		assertThat(approved.version().review()).isEqualTo(Review.APPROVED);
		assertThat(approved.version().reviewedBy()).isEqualTo("ann");
		assertThat(approved.events()).containsExactly(
				new VersionReviewed("p", 2, Review.APPROVED, "ann", "looks right"),
				new ChampionChanged("p", 1, 2, "ann", ChampionMove.APPROVAL, "approved: looks right", null));
		assertThatThrownBy(() -> approved.version().reject(1, "bob", "no", NOW)).isInstanceOf(IllegalTransition.class)
			.hasMessageContaining("approved by ann");

		ModelVersion.Transition rejected = pending.reject(1, "bob", "too risky", NOW);
		assertThat(rejected.version().review()).isEqualTo(Review.REJECTED);
		assertThat(rejected.championMove()).isNull();
		assertThatThrownBy(() -> rejected.version().approve(1, 1, "ann", "yes", NOW))
			.isInstanceOf(IllegalTransition.class);

		for (Outcome o : List.of(Outcome.PROMOTE, Outcome.REJECT, Outcome.HOLD)) {
			assertThatThrownBy(() -> registered(3, o, false).approve(1, 1, "ann", "yes", NOW))
				.isInstanceOf(IllegalTransition.class)
				.hasMessageContaining("not waiting for approval");
		}
	}

	@Test
	void onlyAnAutomaticWinnerCanLoseItsPromotionToAConflict() {
		ModelVersion.Transition lost = registered(2, Outcome.PROMOTE, false).conflict(1, 5);
		assertThat(lost.version().decision()).isEqualTo(Decision.CONFLICT);
		assertThat(lost.events()).containsExactly(new PromotionConflicted("p", 2, 1, 5, 12L));

		assertThatThrownBy(() -> registered(2, Outcome.REJECT, false).conflict(1, 5))
			.isInstanceOf(IllegalTransition.class);
		assertThatThrownBy(() -> registered(2, Outcome.PROMOTE, true).conflict(1, 5))
			.isInstanceOf(IllegalTransition.class);
	}

	@Test
	void aRollbackAsksForTheChampionAndChangesNothingElse() {
		ModelVersion previous = registered(1, Outcome.PROMOTE, false);
		ModelVersion.Transition t = previous.rollback(2, 2, "ann", "v2 misbehaves");
		assertThat(t.version()).isEqualTo(previous);
		assertThat(t.championMove().move()).isEqualTo(ChampionMove.ROLLBACK);
		assertThat(t.championMove().from()).isEqualTo(2);
	}

	@Test
	void theChampionIsNeitherApprovedNorRejected() {
		ModelVersion pending = registered(2, Outcome.PROMOTE, true);
		assertThatThrownBy(() -> pending.approve(2, 2, "ann", "again", NOW)).isInstanceOf(IllegalTransition.class)
			.hasMessageContaining("already the champion");
		assertThatThrownBy(() -> pending.reject(2, "ann", "too late", NOW)).isInstanceOf(IllegalTransition.class)
			.hasMessageContaining("already the champion");
	}

	@Test
	void promotingAPendingVersionApprovesIt() {
		ModelVersion.Transition t = registered(2, Outcome.PROMOTE, true).promote(1, 1, false, "ann", "ship it", NOW);
		assertThat(t.version().review()).isEqualTo(Review.APPROVED);
		assertThat(t.version().reviewedBy()).isEqualTo("ann");
		assertThat(t.version().awaitsApproval()).isFalse();
		assertThat(t.version().forced()).isFalse();
	}

	@Test
	void aVersionAReviewerRejectedIsPromotedOnlyByForce() {
		ModelVersion rejected = registered(2, Outcome.PROMOTE, true).reject(1, "bob", "too risky", NOW).version();
		assertThat(rejected.passedPolicy()).isFalse();
		assertThatThrownBy(() -> rejected.promote(1, 1, false, "ann", "I disagree", NOW))
			.isInstanceOf(IllegalTransition.class)
			.hasMessageContaining("rejected by bob");
		ModelVersion.Transition forced = rejected.promote(1, 1, true, "ann", "I disagree", NOW);
		assertThat(forced.championMove().move()).isEqualTo(ChampionMove.FORCED_PROMOTION);
		assertThat(forced.version().forced()).isTrue();
		assertThat(forced.version().review()).as("the reviewer's verdict stays on record").isEqualTo(Review.REJECTED);
	}

	@Test
	void everyMoveByAPersonRemembersWhereTheVersionStoodSoAStaleOneIsRefusedOnSave() {
		ModelVersion pending = registered(2, Outcome.PROMOTE, true);
		assertThat(pending.approve(1, 1, "ann", "ok", NOW).from()).isEqualTo(pending);
		assertThat(pending.reject(1, "bob", "no", NOW).from()).isEqualTo(pending);
		assertThat(pending.promote(1, 1, false, "ann", "ok", NOW).from()).isEqualTo(pending);
		assertThat(pending.rollback(1, 1, "ann", "back").from()).isEqualTo(pending);
	}

}

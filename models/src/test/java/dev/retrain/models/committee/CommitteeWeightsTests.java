package dev.retrain.models.committee;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.retrain.models.committee.CommitteeSpec.Weighting;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The weights follow Hedge exactly on a hand-made stream of members and losses (each
 * expected value worked out by hand below, with eta = ln 2 so that a loss of 1 halves a
 * weight), best-recent puts all the weight on the lowest loss, and the loss is the 0/1
 * error (classification) or the relative squared error (regression). With a fixed share
 * (Herbster and Warmuth) the weights follow {@code (1 - alpha) * w + alpha / n} after the
 * Hedge step, again against numbers worked out by hand.
 */
class CommitteeWeightsTests {

	private static final double LN2 = Math.log(2);

	@Test
	void hedgeFollowsTheHandComputedStream() {
		CommitteeWeights c = CommitteeWeights.empty(new CommitteeSpec(3, Weighting.HEDGE, LN2));
		// v1 alone: weight 1, whatever its loss
		c = c.admit(1);
		assertWeights(c, new int[] { 1 }, 1.0);
		c = c.update(Map.of(1, 0.3));
		assertWeights(c, new int[] { 1 }, 1.0);
		// v2 enters with the mean of the current weights (1): 1, 1 -> 1/2, 1/2
		c = c.admit(2);
		assertWeights(c, new int[] { 1, 2 }, 0.5, 0.5);
		// losses 1 and 0: 1/2 * 1/2 = 1/4 and 1/2 * 1 = 1/2, normalised 1/3, 2/3
		c = c.update(Map.of(1, 1.0, 2, 0.0));
		assertWeights(c, new int[] { 1, 2 }, 1.0 / 3, 2.0 / 3);
		// v3 enters with the mean 1/2: 1/3, 2/3, 1/2 (sum 3/2) -> 2/9, 4/9, 3/9
		c = c.admit(3);
		assertWeights(c, new int[] { 1, 2, 3 }, 2.0 / 9, 4.0 / 9, 3.0 / 9);
		// losses 0, 1, 1: 2/9, 2/9, 3/18 (sum 11/18) -> 4/11, 4/11, 3/11
		c = c.update(Map.of(1, 0.0, 2, 1.0, 3, 1.0));
		assertWeights(c, new int[] { 1, 2, 3 }, 4.0 / 11, 4.0 / 11, 3.0 / 11);
		// v4 enters with the mean 1/3; size 3: v1 (the oldest) leaves.
		// 4/11, 3/11, 1/3 = 12/33, 9/33, 11/33 (sum 32/33) -> 12/32, 9/32, 11/32
		c = c.admit(4);
		assertWeights(c, new int[] { 2, 3, 4 }, 12.0 / 32, 9.0 / 32, 11.0 / 32);
		// losses 0.5, 0, 1: factors 1/sqrt 2, 1, 1/2
		c = c.update(Map.of(2, 0.5, 3, 0.0, 4, 1.0));
		double a = 12.0 / 32 / Math.sqrt(2);
		double b = 9.0 / 32;
		double d = 11.0 / 64;
		double sum = a + b + d;
		assertWeights(c, new int[] { 2, 3, 4 }, a / sum, b / sum, d / sum);
		// a member already in the committee does not enter twice
		assertThat(c.admit(3)).isEqualTo(c);
	}

	@Test
	void fixedShareFollowsTheHandComputedStream() {
		// eta ln 2 (a loss of 1 halves a weight), share 1/4: after the Hedge step
		// w <- 3/4 w + 1/(4n)
		CommitteeWeights c = CommitteeWeights.empty(new CommitteeSpec(3, Weighting.HEDGE, LN2, 0.25));
		// v1 alone: 3/4 * 1 + 1/4 = 1
		c = c.admit(1).update(Map.of(1, 0.3));
		assertWeights(c, new int[] { 1 }, 1.0);
		// v2 enters: 1/2, 1/2; losses 1, 0: Hedge 1/3, 2/3, then 3/4 * 1/3 + 1/8 = 3/8
		// and 3/4 * 2/3 + 1/8 = 5/8
		c = c.admit(2).update(Map.of(1, 1.0, 2, 0.0));
		assertWeights(c, new int[] { 1, 2 }, 3.0 / 8, 5.0 / 8);
		// again: 3/16, 10/16 (sum 13/16) -> 3/13, 10/13; 9/52 + 1/8 = 31/104 and
		// 30/52 + 1/8 = 73/104
		c = c.update(Map.of(1, 1.0, 2, 0.0));
		assertWeights(c, new int[] { 1, 2 }, 31.0 / 104, 73.0 / 104);
		// v3 enters with the mean 1/2 = 52/104: sum 156/104 -> 31/156, 73/156, 52/156
		c = c.admit(3);
		assertWeights(c, new int[] { 1, 2, 3 }, 31.0 / 156, 73.0 / 156, 52.0 / 156);
		// losses 0, 1, 1: 62/312, 73/312, 52/312 (sum 187/312) -> 62/187, 73/187, 52/187;
		// 3/4 of each + 1/12: 745/2244, 844/2244, 655/2244
		c = c.update(Map.of(1, 0.0, 2, 1.0, 3, 1.0));
		assertWeights(c, new int[] { 1, 2, 3 }, 745.0 / 2244, 844.0 / 2244, 655.0 / 2244);
		assertThat(c.spec().describe())
			.isEqualTo("committee of the last 3 versions, hedge (eta 0.6931471805599453, " + "share 0.25)");
	}

	@Test
	void underFixedShareAMemberKeepsAFloorAndWinsItsWeightBackWhenItsConceptReturns() {
		CommitteeWeights plain = CommitteeWeights.empty(new CommitteeSpec(2, Weighting.HEDGE, LN2)).admit(1).admit(2);
		CommitteeWeights shared = CommitteeWeights.empty(new CommitteeSpec(2, Weighting.HEDGE, LN2, 0.25))
			.admit(1)
			.admit(2);
		// v1 wrong on every row of 60 periods, v2 right
		for (int i = 0; i < 60; i++) {
			plain = plain.update(Map.of(1, 1.0, 2, 0.0));
			shared = shared.update(Map.of(1, 1.0, 2, 0.0));
			assertThat(shared.weightOf(1)).isGreaterThanOrEqualTo(0.25 / 2 - 1e-15);
		}
		assertThat(plain.weightOf(1)).isLessThan(1e-17);
		// the fixed point of w = 3/4 * (w/2) / (w/2 + 1 - w) + 1/8, the smaller root of
		// w^2 - 11/8 w + 1/4 = 0
		double fixedPoint = (11.0 / 8 - Math.sqrt(121.0 / 64 - 1)) / 2;
		assertThat(shared.weightOf(1)).isCloseTo(fixedPoint, within(1e-12));
		// the concept returns: v1 right, v2 wrong. Two periods give v1 the majority back
		// (2w/(1+w) then 3/4 of it + 1/8, twice), plain Hedge still has it at 2^-58
		double w = fixedPoint;
		for (int i = 0; i < 2; i++) {
			plain = plain.update(Map.of(1, 0.0, 2, 1.0));
			shared = shared.update(Map.of(1, 0.0, 2, 1.0));
			w = 0.75 * (2 * w / (1 + w)) + 0.125;
		}
		assertThat(shared.weightOf(1)).isCloseTo(w, within(1e-12)).isGreaterThan(0.5);
		assertThat(plain.weightOf(1)).isLessThan(1e-16);
	}

	@Test
	void aShareOfZeroIsPlainHedge() {
		CommitteeSpec plain = new CommitteeSpec(3, Weighting.HEDGE, LN2);
		CommitteeSpec zero = new CommitteeSpec(3, Weighting.HEDGE, LN2, 0.0);
		assertThat(zero).isEqualTo(plain);
		assertThat(zero.describe()).isEqualTo(plain.describe()).doesNotContain("share");
		CommitteeWeights a = CommitteeWeights.empty(plain);
		CommitteeWeights b = CommitteeWeights.empty(zero);
		// the stream of hedgeFollowsTheHandComputedStream
		java.util.List<java.util.function.UnaryOperator<CommitteeWeights>> steps = java.util.List.of(w -> w.admit(1),
				w -> w.update(Map.of(1, 0.3)), w -> w.admit(2), w -> w.update(Map.of(1, 1.0, 2, 0.0)), w -> w.admit(3),
				w -> w.update(Map.of(1, 0.0, 2, 1.0, 3, 1.0)), w -> w.admit(4),
				w -> w.update(Map.of(2, 0.5, 3, 0.0, 4, 1.0)));
		for (java.util.function.UnaryOperator<CommitteeWeights> step : steps) {
			a = step.apply(a);
			b = step.apply(b);
			assertThat(b.weights()).containsExactly(a.weights());
		}
		double x = 12.0 / 32 / Math.sqrt(2);
		double y = 9.0 / 32;
		double z = 11.0 / 64;
		assertWeights(b, new int[] { 2, 3, 4 }, x / (x + y + z), y / (x + y + z), z / (x + y + z));
	}

	@Test
	void aShareIsInZeroToOneAndForHedgeOnly() {
		assertThatThrownBy(() -> new CommitteeSpec(3, Weighting.HEDGE, 1.0, -0.01))
			.hasMessageContaining("share must be in [0, 1)");
		assertThatThrownBy(() -> new CommitteeSpec(3, Weighting.HEDGE, 1.0, 1.0))
			.hasMessageContaining("share must be in [0, 1)");
		assertThatThrownBy(() -> new CommitteeSpec(3, Weighting.HEDGE, 1.0, Double.NaN))
			.hasMessageContaining("share must be in [0, 1)");
		assertThatThrownBy(() -> new CommitteeSpec(3, Weighting.BEST_RECENT, 1.0, 0.05))
			.hasMessageContaining("share applies to hedge only");
		assertThat(new CommitteeSpec(3, Weighting.BEST_RECENT, 1.0, 0.0).share()).isZero();
	}

	@Test
	void bestRecentPutsAllTheWeightOnTheLowestLossAndANewMemberTakesItUntilTheNextLabels() {
		CommitteeWeights c = CommitteeWeights.empty(new CommitteeSpec(2, Weighting.BEST_RECENT, 1.0));
		c = c.admit(1).admit(2);
		assertWeights(c, new int[] { 1, 2 }, 0.0, 1.0);
		c = c.update(Map.of(1, 0.1, 2, 0.2));
		assertWeights(c, new int[] { 1, 2 }, 1.0, 0.0);
		// ties go to the newest
		c = c.update(Map.of(1, 0.2, 2, 0.2));
		assertWeights(c, new int[] { 1, 2 }, 0.0, 1.0);
		c = c.update(Map.of(1, 0.1, 2, 0.2)).admit(3);
		assertWeights(c, new int[] { 2, 3 }, 0.0, 1.0);
	}

	@Test
	void aSmallerSizeLetsTheOldestGoAndRenormalises() {
		CommitteeWeights c = CommitteeWeights.empty(new CommitteeSpec(3, Weighting.HEDGE, LN2))
			.admit(1)
			.admit(2)
			.update(Map.of(1, 1.0, 2, 0.0))
			.admit(3);
		// 2/9, 4/9, 3/9 as above; size 2 keeps v2, v3: 4/7, 3/7
		CommitteeWeights smaller = c.withSpec(new CommitteeSpec(2, Weighting.HEDGE, LN2));
		assertWeights(smaller, new int[] { 2, 3 }, 4.0 / 7, 3.0 / 7);
		assertWeights(c.withSpec(new CommitteeSpec(3, Weighting.BEST_RECENT, 1.0)), new int[] { 1, 2, 3 }, 0, 0, 1);
	}

	@Test
	void aMemberLeavesOnARollbackAndTheOthersAreNormalisedAgain() {
		CommitteeWeights hedge = CommitteeWeights.empty(new CommitteeSpec(3, Weighting.HEDGE, LN2))
			.admit(1)
			.admit(2)
			.update(Map.of(1, 1.0, 2, 0.0))
			.admit(3);
		// 2/9, 4/9, 3/9: without v3, 2/6 and 4/6
		assertWeights(hedge.without(3), new int[] { 1, 2 }, 1.0 / 3, 2.0 / 3);
		assertThat(hedge.without(7)).isEqualTo(hedge);
		// best-recent: the leaving member had all the weight, the newest left takes it
		CommitteeWeights best = CommitteeWeights.empty(new CommitteeSpec(3, Weighting.BEST_RECENT, 1.0))
			.admit(1)
			.admit(2)
			.admit(3);
		assertWeights(best.without(3), new int[] { 1, 2 }, 0.0, 1.0);
		assertThat(best.without(3).without(2).without(1).isEmpty()).isTrue();
	}

	@Test
	void everyMemberNeedsALoss() {
		CommitteeWeights c = CommitteeWeights.empty(new CommitteeSpec(3, Weighting.HEDGE, 1.0)).admit(1).admit(2);
		assertThatThrownBy(() -> c.update(Map.of(1, 0.5))).hasMessageContaining("no loss for member v2");
		assertThatThrownBy(() -> new CommitteeSpec(0, Weighting.HEDGE, 1.0)).hasMessageContaining("size of 1 or more");
		assertThatThrownBy(() -> new CommitteeSpec(2, Weighting.HEDGE, 0)).hasMessageContaining("eta");
	}

	@Test
	void theLossIsTheZeroOneErrorOrTheRelativeSquaredError() {
		// binary: predicted 1, 0, 1, 0 against labels 1, 1, 1, 0: one of four wrong
		Predictions binary = new Predictions(Task.BINARY_CLASSIFICATION, 2, new double[] { 0.9, 0.4, 0.5, 0.1 });
		assertThat(CommitteeLoss.of(binary, new double[] { 1, 1, 1, 0 })).isEqualTo(0.25);
		// multiclass: argmax 2, 0 against labels 2, 1
		Predictions multi = new Predictions(Task.MULTICLASS_CLASSIFICATION, 3,
				new double[] { 0.1, 0.2, 0.7, 0.5, 0.3, 0.2 });
		assertThat(CommitteeLoss.of(multi, new double[] { 2, 1 })).isEqualTo(0.5);
		// regression: labels 1, 3 (mean 2, sum of squares about it 2), predictions 2, 2
		// (squared errors 1 + 1 = 2): 2 / 2 = 1
		Predictions reg = new Predictions(Task.REGRESSION, 1, new double[] { 2, 2 });
		assertThat(CommitteeLoss.of(reg, new double[] { 1, 3 })).isCloseTo(1.0, within(1e-12));
		assertThat(CommitteeLoss.of(reg, new double[0])).isNaN();
	}

	private static void assertWeights(CommitteeWeights c, int[] versions, double... weights) {
		assertThat(c.versions()).containsExactly(java.util.Arrays.stream(versions).boxed().toArray(Integer[]::new));
		double[] w = c.weights();
		assertThat(w).hasSize(weights.length);
		for (int i = 0; i < w.length; i++) {
			assertThat(w[i]).as("weight of v" + versions[i]).isCloseTo(weights[i], within(1e-12));
		}
	}

}

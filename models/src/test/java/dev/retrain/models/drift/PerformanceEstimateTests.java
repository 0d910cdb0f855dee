package dev.retrain.models.drift;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.Test;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PerformanceEstimateTests {

	/**
	 * {@code n} binary predictions whose confidence is uniform in [0.5, 1) and whose
	 * labels are right with probability {@code truth(confidence)}; {@code labels} is
	 * filled.
	 */
	static Predictions draw(int n, long seed, DoubleUnaryOperator truth, double[] labels) {
		Random random = new Random(seed);
		double[] scores = new double[n];
		for (int i = 0; i < n; i++) {
			double confidence = 0.5 + 0.5 * random.nextDouble();
			boolean positive = random.nextBoolean();
			scores[i] = positive ? confidence : 1 - confidence;
			boolean right = random.nextDouble() < truth.applyAsDouble(confidence);
			labels[i] = (positive == right) ? 1 : 0;
		}
		return new Predictions(Task.BINARY_CLASSIFICATION, 2, scores);
	}

	@Test
	void aCalibratedModelsAccuracyIsEstimatedWithoutLabelsWithinItsInterval() {
		double[] refLabels = new double[5000];
		double[] curLabels = new double[5000];
		Predictions ref = draw(5000, 1, c -> c, refLabels);
		Predictions cur = draw(5000, 2, c -> c, curLabels);

		PerformanceEstimate e = PerformanceEstimate.accuracy(ref, refLabels, cur, curLabels);

		assertThat(e.metric()).isEqualTo("accuracy");
		assertThat(e.rows()).isEqualTo(5000);
		assertThat(e.estimate()).isCloseTo(0.75, within(0.02));
		assertThat(e.realised()).isBetween(e.low(), e.high());
		assertThat(e.high() - e.low()).isBetween(0.01, 0.03);
	}

	@Test
	void anOverconfidentModelIsReadAtItsRealRateOnceCalibratedOnTheHoldout() {
		// says 0.95 when right 72% of the time
		DoubleUnaryOperator overconfident = c -> 0.5 + (c - 0.5) * 0.45;
		double[] refLabels = new double[5000];
		double[] curLabels = new double[5000];
		Predictions ref = draw(5000, 3, overconfident, refLabels);
		Predictions cur = draw(5000, 4, overconfident, curLabels);
		double meanConfidence = 0;
		for (int r = 0; r < cur.rows(); r++) {
			meanConfidence += cur.probability(r, cur.predictedClass(r)) / cur.rows();
		}

		PerformanceEstimate e = PerformanceEstimate.accuracy(ref, refLabels, cur, curLabels);

		assertThat(meanConfidence - e.realised()).as("the raw confidence is far off").isGreaterThan(0.1);
		assertThat(e.estimate()).isCloseTo(e.realised(), within(0.02));
	}

	@Test
	void aModelGrownUnsureOnCurrentRowsIsSeenToDropWithoutLabels() {
		double[] refLabels = new double[5000];
		Predictions ref = draw(5000, 7, c -> c, refLabels);
		// the same calibrated model on rows where it is barely sure (confidence 0.5 to
		// 0.6)
		Random random = new Random(8);
		double[] scores = new double[2000];
		for (int i = 0; i < scores.length; i++) {
			scores[i] = 0.5 + 0.1 * random.nextDouble();
		}
		Predictions unsure = new Predictions(Task.BINARY_CLASSIFICATION, 2, scores);

		PerformanceEstimate same = PerformanceEstimate.accuracy(ref, refLabels, draw(2000, 9, c -> c, new double[2000]),
				null);
		PerformanceEstimate dropped = PerformanceEstimate.accuracy(ref, refLabels, unsure, null);

		assertThat(same.holdout()).isCloseTo(0.75, within(0.02));
		assertThat(same.dropped(0.05)).isFalse();
		assertThat(dropped.estimate()).isCloseTo(0.55, within(0.03));
		assertThat(dropped.dropped(0.05)).isTrue();
	}

	@Test
	void withoutLabelsThereIsNoRealisedValueAndRegressionIsNotEstimated() {
		double[] refLabels = new double[200];
		Predictions ref = draw(200, 5, c -> c, refLabels);
		Predictions cur = draw(100, 6, c -> c, new double[100]);

		assertThat(PerformanceEstimate.accuracy(ref, refLabels, cur, null).realised()).isNull();
		assertThat(PerformanceEstimate.accuracy(new Predictions(Task.REGRESSION, 1, new double[] { 1 }),
				new double[] { 1 }, new Predictions(Task.REGRESSION, 1, new double[] { 2 }), null))
			.isNull();
	}

	@Test
	void isotonicRegressionPoolsViolatorsIntoNonDecreasingLevels() {
		double[][] pairs = { { 0.1, 1 }, { 0.2, 0 }, { 0.3, 0 }, { 0.4, 1 }, { 0.5, 1 } };
		double[] x = new double[5];
		assertThat(PerformanceEstimate.isotonic(pairs, x)).containsExactly(1 / 3.0, 1 / 3.0, 1 / 3.0, 1, 1);
		assertThat(PerformanceEstimate.calibrated(x, PerformanceEstimate.isotonic(pairs, x), 0.35)).isCloseTo(2 / 3.0,
				within(1e-9));
	}

}

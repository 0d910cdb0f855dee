package dev.retrain.models.drift;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The model-output test and its confidence and entropy summaries, on outputs with known
 * answers.
 */
class ScoreDriftTests {

	/** Even and odd rows of a 100-row reference. */
	static final List<int[]> HALVES = List.of(IntStream.range(0, 50).map(i -> 2 * i).toArray(),
			IntStream.range(0, 50).map(i -> 2 * i + 1).toArray());

	/** P(positive) spread evenly over (0, 1): mean confidence 0.75. */
	static Predictions spread() {
		return binary(IntStream.range(0, 100).mapToDouble(i -> (i + 0.5) / 100).toArray());
	}

	static Predictions binary(double... scores) {
		return new Predictions(Task.BINARY_CLASSIFICATION, 1, scores);
	}

	static Predictions constant(double score) {
		return binary(IntStream.range(0, 100).mapToDouble(i -> score).toArray());
	}

	static double bits(double p) {
		return -(p * Math.log(p) + (1 - p) * Math.log(1 - p)) / Math.log(2);
	}

	@Test
	void identicalOutputsHaveKsZeroAndDoNotDrift() {
		ScoreDrift d = ScoreDrift.test(spread(), spread(), HALVES, 0.95, 0.0, 0.1, 0.05);

		assertThat(d.ks()).isZero();
		assertThat(d.psi()).isZero();
		assertThat(d.meanConfidence()).isCloseTo(0.75, within(1e-12));
		assertThat(d.referenceConfidence()).isCloseTo(0.75, within(1e-12));
		assertThat(d.confidenceLow()).isLessThanOrEqualTo(0.75);
		assertThat(d.confidenceHigh()).isGreaterThanOrEqualTo(0.75);
		assertThat(d.meanEntropy()).isEqualTo(d.referenceEntropy());
		assertThat(d.distributionDrifted()).isFalse();
		assertThat(d.confidenceFlag()).isNull();
		assertThat(d.drifted()).isFalse();
	}

	@Test
	void outputsPiledUpAtOneEndDriftAndAreUnusuallySure() {
		ScoreDrift d = ScoreDrift.test(spread(), constant(0.995), HALVES, 0.95, 0.0, 0.1, 0.05);

		// 99 of the 100 reference scores lie below 0.995, the last one on it
		assertThat(d.ks()).isCloseTo(0.99, within(1e-12));
		assertThat(d.ks()).isGreaterThan(d.ksThreshold());
		assertThat(d.meanConfidence()).isCloseTo(0.995, within(1e-12));
		assertThat(d.distributionDrifted()).isTrue();
		assertThat(d.confidenceFlag()).isEqualTo("unusually sure");
		assertThat(d.drifted()).isTrue();
	}

	@Test
	void outputsAtOneHalfAreUnusuallyUnsure() {
		ScoreDrift d = ScoreDrift.test(spread(), constant(0.5), HALVES, 0.95, 0.0, 0.1, 0.05);

		assertThat(d.meanConfidence()).isEqualTo(0.5);
		assertThat(d.meanEntropy()).isCloseTo(1.0, within(1e-12));
		assertThat(d.confidenceFlag()).isEqualTo("unusually unsure");
		assertThat(d.drifted()).isTrue();
	}

	@Test
	void theInSampleBiasLowersTheReferenceConfidenceAndItsBand() {
		ScoreDrift honest = ScoreDrift.test(spread(), spread(), HALVES, 0.95, 0.0, 0.1, 0.05);
		ScoreDrift biased = ScoreDrift.test(spread(), spread(), HALVES, 0.95, 0.1, 0.1, 0.05);

		assertThat(biased.referenceConfidence()).isCloseTo(0.65, within(1e-12));
		assertThat(biased.confidenceLow()).isCloseTo(honest.confidenceLow() - 0.1, within(1e-12));
		assertThat(biased.confidenceHigh()).isCloseTo(honest.confidenceHigh() - 0.1, within(1e-12));
		assertThat(biased.confidenceFlag()).isEqualTo("unusually sure");
		assertThat(ScoreDrift.test(spread(), spread(), HALVES, 0.95, Double.NaN, 0.1, 0.05)).isEqualTo(honest);
	}

	@Test
	void inSampleBiasIsTheDifferenceOfMeanConfidences() {
		// confidences 0.9, 0.8, 0.6, 0.5 (mean 0.7) against 0.6 throughout
		assertThat(ScoreDrift.inSampleBias(binary(0.9, 0.2, 0.6, 0.5), binary(0.4, 0.6))).isCloseTo(0.1, within(1e-12));
	}

	@Test
	void binaryScoresAreTheProbabilityOfThePositiveClass() {
		Predictions p = binary(0.9, 0.2, 0.6, 0.5);

		assertThat(ScoreDrift.scores(p, null)).containsExactly(0.9, 0.2, 0.6, 0.5);
		assertThat(ScoreDrift.scores(p, new int[] { 1, 3 })).containsExactly(0.2, 0.5);
		assertThat(ScoreDrift.meanConfidence(p, new int[] { 1, 3 })).isCloseTo(0.65, within(1e-12));
		assertThat(ScoreDrift.meanEntropy(p)).isCloseTo((bits(0.9) + bits(0.2) + bits(0.6) + bits(0.5)) / 4,
				within(1e-12));
	}

	@Test
	void multiclassScoresAreTheTopClassProbability() {
		Predictions p = new Predictions(Task.MULTICLASS_CLASSIFICATION, 3,
				new double[] { 0.2, 0.5, 0.3, 0.7, 0.1, 0.2 });

		assertThat(ScoreDrift.scores(p, null)).containsExactly(0.5, 0.7);
		assertThat(ScoreDrift.meanConfidence(p, null)).isCloseTo(0.6, within(1e-12));
		double first = -(0.2 * Math.log(0.2) + 0.5 * Math.log(0.5) + 0.3 * Math.log(0.3)) / Math.log(2);
		double second = -(0.7 * Math.log(0.7) + 0.1 * Math.log(0.1) + 0.2 * Math.log(0.2)) / Math.log(2);
		assertThat(ScoreDrift.meanEntropy(p)).isCloseTo((first + second) / 2, within(1e-12));
	}

	@Test
	void regressionHasNoConfidenceAndIsNeverFlagged() {
		Predictions values = new Predictions(Task.REGRESSION, 1, IntStream.range(0, 100).mapToDouble(i -> i).toArray());

		ScoreDrift d = ScoreDrift.test(values, values, HALVES, 0.95, 0.0, 0.1, 0.05);

		assertThat(ScoreDrift.scores(values, new int[] { 7 })).containsExactly(7.0);
		assertThat(d.meanConfidence()).isNaN();
		assertThat(d.meanEntropy()).isNaN();
		assertThat(d.confidenceFlag()).isNull();
		assertThat(d.drifted()).isFalse();
	}

}

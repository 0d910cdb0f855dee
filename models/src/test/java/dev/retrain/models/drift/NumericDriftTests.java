package dev.retrain.models.drift;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.retrain.models.dataset.NumericColumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The numeric feature test on small samples whose statistics can be worked out by hand.
 */
class NumericDriftTests {

	/** Even and odd rows of a reference: each has KS 0.1 against the ten values 0..9. */
	static final List<int[]> HALVES = List.of(new int[] { 0, 2, 4, 6, 8 }, new int[] { 1, 3, 5, 7, 9 });

	static NumericColumn column(double... values) {
		return new NumericColumn("x", values, null);
	}

	static NumericColumn zeroToNine(double shift) {
		return column(IntStream.range(0, 10).mapToDouble(i -> i + shift).toArray());
	}

	@Test
	void identicalSamplesHaveKsZeroAndDoNotDrift() {
		NumericDrift d = NumericDrift.test(zeroToNine(0), zeroToNine(0), HALVES, 0.95, 0.1);

		assertThat(d.ks()).isZero();
		assertThat(d.psi()).isZero();
		assertThat(d.wassersteinNormalized()).isZero();
		assertThat(d.pValue()).isCloseTo(1.0, within(1e-9));
		assertThat(d.drifted()).isFalse();
	}

	@Test
	void theThresholdIsTheSpreadOfKsAcrossReferenceBlocks() {
		// both halves are 0.1 from the whole: quantile 0.1, standard deviation 0
		assertThat(NumericDrift.test(zeroToNine(0), zeroToNine(0), HALVES, 0.95, 0.1).threshold()).isCloseTo(0.1,
				within(1e-12));
	}

	@Test
	void aSampleShiftedPastTheReferenceDrifts() {
		NumericDrift d = NumericDrift.test(zeroToNine(0), zeroToNine(100), HALVES, 0.95, 0.1);

		assertThat(d.ks()).isEqualTo(1.0);
		assertThat(d.psi()).isGreaterThan(1.0);
		// a shift by 100 moves every value by 100; the sample standard deviation of 0..9
		// is sqrt(55 / 6)
		assertThat(d.wassersteinNormalized()).isCloseTo(100 / Math.sqrt(55.0 / 6), within(1e-9));
		assertThat(d.pValue()).isLessThan(1e-3);
		assertThat(d.drifted()).isTrue();
	}

	@Test
	void aShiftBelowTheEffectFloorDoesNotDrift() {
		NumericDrift d = NumericDrift.test(zeroToNine(0), zeroToNine(100), HALVES, 0.95, Double.POSITIVE_INFINITY);

		assertThat(d.ks()).isGreaterThan(d.threshold());
		assertThat(d.drifted()).isFalse();
	}

	@Test
	void aConstantReferenceGivesNoNormalizedWasserstein() {
		NumericColumn constant = column(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);

		assertThat(NumericDrift.test(constant, zeroToNine(0), HALVES, 0.95, 0.1).wassersteinNormalized()).isZero();
	}

	@Test
	void onlyFiniteNonNullValuesOfTheChosenRowsAreCompared() {
		NumericColumn c = new NumericColumn("x", new double[] { 3, Double.NaN, 1, 5, Double.POSITIVE_INFINITY, 2 },
				new boolean[] { false, true, false, true, false, false });

		assertThat(NumericDrift.finiteSorted(c, null)).containsExactly(1, 2, 3);
		assertThat(NumericDrift.finiteSorted(c, new int[] { 0, 3, 5 })).containsExactly(2, 3);
	}

}

package dev.retrain.models.drift;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.retrain.models.dataset.StringColumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The categorical feature test on small samples whose statistics can be worked out by
 * hand.
 */
class CategoricalDriftTests {

	static final StringColumn REFERENCE = column("a", "a", "b", "b");

	/** Both blocks have the reference's shares: the calibrated threshold is 0. */
	static final List<int[]> BLOCKS = List.of(new int[] { 0, 2 }, new int[] { 1, 3 });

	static StringColumn column(String... values) {
		return new StringColumn("c", values);
	}

	@Test
	void identicalSharesHaveNoDistanceAndDoNotDrift() {
		CategoricalDrift d = CategoricalDrift.test(REFERENCE, column("b", "a", "b", "a"), BLOCKS, 0.95, 0.1);

		assertThat(d.jensenShannon()).isZero();
		assertThat(d.threshold()).isZero();
		assertThat(d.unseenRate()).isZero();
		assertThat(d.chiSquarePValue()).isGreaterThan(0.99);
		assertThat(d.drifted()).isFalse();
	}

	@Test
	void aNewCategoryDriftsWithItsShareAndTheJensenShannonDistance() {
		CategoricalDrift d = CategoricalDrift.test(REFERENCE, column("a", "b", "c", "c"), BLOCKS, 0.95, 0.1);

		// shares (1/2, 1/2, 0) against (1/4, 1/4, 1/2); their mean is (3/8, 3/8, 1/4)
		double divergence = 0.5 * Math.log(4.0 / 3) + 0.5 * (0.5 * Math.log(2.0 / 3) + 0.5 * Math.log(2));
		assertThat(d.jensenShannon()).isCloseTo(Math.sqrt(divergence / Math.log(2)), within(1e-12));
		assertThat(d.unseenRate()).isEqualTo(0.5);
		assertThat(d.chiSquarePValue()).isLessThan(1e-6);
		assertThat(d.drifted()).isTrue();
	}

	@Test
	void aDistanceBelowTheEffectFloorDoesNotDrift() {
		CategoricalDrift d = CategoricalDrift.test(REFERENCE, column("a", "b", "c", "c"), BLOCKS, 0.95, 0.9);

		assertThat(d.jensenShannon()).isGreaterThan(d.threshold());
		assertThat(d.drifted()).isFalse();
	}

	@Test
	void countsTreatAMissingValueAsACategory() {
		String[] values = { "a", null, "a", "b" };

		assertThat(CategoricalDrift.counts(values, null))
			.isEqualTo(Map.of("a", 2L, "b", 1L, CategoricalDrift.MISSING, 1L));
		assertThat(CategoricalDrift.counts(values, new int[] { 1, 3 }))
			.isEqualTo(Map.of("b", 1L, CategoricalDrift.MISSING, 1L));
	}

}

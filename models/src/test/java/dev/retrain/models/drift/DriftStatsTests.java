package dev.retrain.models.drift;

import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The kernels against scipy 1.x on the same data (with ties). The expected values were
 * computed once with {@code scipy.stats.ks_2samp},
 * {@code scipy.stats.wasserstein_distance},
 * {@code scipy.spatial.distance.jensenshannon(base=2)} and numpy for PSI, on
 * {@code a[i] = round(sin(0.7 i) * 3 + (i % 7) / 10, 2)} (500 values) and
 * {@code b[j] = round(cos(1.3 j) * 2.5 + 0.4, 2)} (300 values).
 */
class DriftStatsTests {

	static double[] a() {
		double[] a = new double[500];
		for (int i = 0; i < a.length; i++) {
			a[i] = Math.round((Math.sin(i * 0.7) * 3 + (i % 7) * 0.1) * 100) / 100.0;
		}
		Arrays.sort(a);
		return a;
	}

	static double[] b() {
		double[] b = new double[300];
		for (int j = 0; j < b.length; j++) {
			b[j] = Math.round((Math.cos(j * 1.3) * 2.5 + 0.4) * 100) / 100.0;
		}
		Arrays.sort(b);
		return b;
	}

	@Test
	void ksAndWassersteinMatchScipyToTheLastDigits() {
		assertThat(DriftStats.ks(a(), b())).isCloseTo(0.208, within(1e-12));
		assertThat(DriftStats.wasserstein(a(), b())).isCloseTo(0.34285999999999994, within(1e-9));
		assertThat(DriftStats.ksPValue(a(), b())).isCloseTo(1.3009604180578937e-07, within(1e-9));
	}

	@Test
	void psiOnReferenceDecilesMatchesNumpy() {
		double[] edges = DriftStats.decileEdges(a());
		assertThat(DriftStats.psi(a(), b(), edges)).isCloseTo(2.329148128761858, within(1e-9));
		assertThat(DriftStats.psi(a(), a(), edges)).isZero();
	}

	@Test
	void jensenShannonMatchesScipy() {
		double js = DriftStats.jensenShannon(Map.of("x", 50L, "y", 30L, "z", 20L),
				Map.of("x", 40L, "y", 30L, "z", 25L, "new", 5L));
		assertThat(js).isCloseTo(0.17613534457683394, within(1e-12));
		assertThat(DriftStats.jensenShannon(Map.of("x", 1L), Map.of("x", 7L))).isZero();
	}

	@Test
	void identicalSamplesHaveNoDistance() {
		assertThat(DriftStats.ks(a(), a())).isZero();
		assertThat(DriftStats.wasserstein(a(), a())).isZero();
	}

}

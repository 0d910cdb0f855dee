package dev.retrain.models.drift;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.apache.commons.statistics.inference.AlternativeHypothesis;
import org.apache.commons.statistics.inference.BinomialTest;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.apache.commons.statistics.inference.PValueMethod;

/**
 * Distribution-distance kernels over sorted arrays (linear merges, no allocation beyond
 * the inputs) and p-values from Apache Commons Statistics. Conventions follow scipy:
 * {@code ks} is {@code ks_2samp}'s statistic, {@code wasserstein} is
 * {@code wasserstein_distance}.
 */
public final class DriftStats {

	/** Floor for a bin's share in PSI, so that an empty bin does not make it infinite. */
	static final double PSI_EPS = 1e-4;

	private DriftStats() {
	}

	/**
	 * Two-sample Kolmogorov-Smirnov statistic: the largest gap between the empirical
	 * CDFs.
	 */
	public static double ks(double[] a, double[] b) {
		int n = a.length;
		int m = b.length;
		int i = 0;
		int j = 0;
		double d = 0;
		while (i < n && j < m) {
			double x = Math.min(a[i], b[j]);
			while (i < n && a[i] <= x) {
				i++;
			}
			while (j < m && b[j] <= x) {
				j++;
			}
			d = Math.max(d, Math.abs((double) i / n - (double) j / m));
		}
		return d;
	}

	/**
	 * Wasserstein-1 distance between two empirical distributions: the area between their
	 * CDFs.
	 */
	public static double wasserstein(double[] a, double[] b) {
		int n = a.length;
		int m = b.length;
		int i = 0;
		int j = 0;
		double prev = Math.min(a[0], b[0]);
		double area = 0;
		while (i < n || j < m) {
			double x = (j >= m || (i < n && a[i] <= b[j])) ? a[i] : b[j];
			area += Math.abs((double) i / n - (double) j / m) * (x - prev);
			while (i < n && a[i] == x) {
				i++;
			}
			while (j < m && b[j] == x) {
				j++;
			}
			prev = x;
		}
		return area;
	}

	/**
	 * Bin edges for PSI: the reference's deciles, duplicates removed (a discrete feature
	 * gets fewer bins).
	 */
	public static double[] decileEdges(double[] sortedReference) {
		double[] edges = new double[9];
		int k = 0;
		for (int q = 1; q <= 9; q++) {
			double e = quantile(sortedReference, q / 10.0);
			if (k == 0 || e > edges[k - 1]) {
				edges[k++] = e;
			}
		}
		return Arrays.copyOf(edges, k);
	}

	/**
	 * Population stability index of {@code current} against {@code reference} over the
	 * given bin edges.
	 */
	public static double psi(double[] sortedReference, double[] sortedCurrent, double[] edges) {
		double[] r = shares(sortedReference, edges);
		double[] c = shares(sortedCurrent, edges);
		double psi = 0;
		for (int k = 0; k < r.length; k++) {
			psi += (c[k] - r[k]) * Math.log(c[k] / r[k]);
		}
		return psi;
	}

	/**
	 * Share of a sorted sample in each bin
	 * {@code (-inf, e0], (e0, e1], ..., (e_last, inf)}, floored at {@link #PSI_EPS}.
	 */
	static double[] shares(double[] sorted, double[] edges) {
		double[] s = new double[edges.length + 1];
		int from = 0;
		for (int k = 0; k < edges.length; k++) {
			int to = upperBound(sorted, edges[k]);
			s[k] = to - from;
			from = to;
		}
		s[edges.length] = sorted.length - from;
		for (int k = 0; k < s.length; k++) {
			s[k] = Math.max(s[k] / sorted.length, PSI_EPS);
		}
		return s;
	}

	/** First index whose value is greater than {@code x}. */
	static int upperBound(double[] sorted, double x) {
		int lo = 0;
		int hi = sorted.length;
		while (lo < hi) {
			int mid = (lo + hi) >>> 1;
			if (sorted[mid] <= x) {
				lo = mid + 1;
			}
			else {
				hi = mid;
			}
		}
		return lo;
	}

	/** Linear-interpolated quantile (numpy's default) of a sorted array. */
	public static double quantile(double[] sorted, double q) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		double pos = (sorted.length - 1) * q;
		int lo = (int) Math.floor(pos);
		int hi = Math.min(lo + 1, sorted.length - 1);
		return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
	}

	/** Jensen-Shannon distance (base 2, in [0, 1]) between two category count tables. */
	public static double jensenShannon(Map<String, Long> reference, Map<String, Long> current) {
		Set<String> keys = new HashSet<>(reference.keySet());
		keys.addAll(current.keySet());
		double nr = reference.values().stream().mapToLong(Long::longValue).sum();
		double nc = current.values().stream().mapToLong(Long::longValue).sum();
		double js = 0;
		for (String k : keys) {
			double p = reference.getOrDefault(k, 0L) / nr;
			double q = current.getOrDefault(k, 0L) / nc;
			double m = (p + q) / 2;
			if (p > 0) {
				js += 0.5 * p * Math.log(p / m);
			}
			if (q > 0) {
				js += 0.5 * q * Math.log(q / m);
			}
		}
		return Math.sqrt(Math.max(0, js) / Math.log(2));
	}

	/** Asymptotic p-value of the two-sample KS test (Commons Statistics). */
	public static double ksPValue(double[] a, double[] b) {
		return KolmogorovSmirnovTest.withDefaults().with(PValueMethod.ASYMPTOTIC).test(a, b).getPValue();
	}

	/**
	 * Chi-square goodness-of-fit p-value of current counts against the reference's
	 * category shares.
	 */
	public static double chiSquarePValue(double[] expectedShares, long[] observed) {
		if (expectedShares.length < 2) {
			return 1.0;
		}
		return ChiSquareTest.withDefaults().test(expectedShares, observed).getPValue();
	}

	/**
	 * One-sided binomial p-value that a success rate of {@code p0} would give {@code k}
	 * or fewer successes in {@code n}.
	 */
	public static double binomialLowerPValue(int k, int n, double p0) {
		return BinomialTest.withDefaults().with(AlternativeHypothesis.LESS_THAN).test(n, k, p0).getPValue();
	}

}

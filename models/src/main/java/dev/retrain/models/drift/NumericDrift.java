package dev.retrain.models.drift;

import java.util.Arrays;
import java.util.List;

import dev.retrain.models.dataset.NumericColumn;

/**
 * Drift of one numeric feature: its two-sample Kolmogorov-Smirnov statistic against the
 * spread of that statistic across reference blocks, with PSI on reference deciles as the
 * effect size that must also reach a floor.
 *
 * @param ks Kolmogorov-Smirnov statistic of the current values against the reference
 * @param threshold the level {@code ks} exceeds with probability {@code 1 - q} in normal
 * batches
 * @param psi population stability index on the reference's deciles (the effect size)
 * @param pValue asymptotic p-value of the KS test, for reference
 * @param wassersteinNormalized Wasserstein-1 distance over the reference's standard
 * deviation (0 for a constant reference)
 * @param drifted {@code ks} above its threshold and {@code psi} at least the floor
 */
public record NumericDrift(double ks, double threshold, double psi, double pValue, double wassersteinNormalized,
		boolean drifted) {

	/**
	 * Tests the finite values of {@code current} against those of {@code reference}; the
	 * threshold is calibrated on the reference's {@code blocks} (see {@link Calibration})
	 * at the {@code q} quantile.
	 */
	public static NumericDrift test(NumericColumn reference, NumericColumn current, List<int[]> blocks, double q,
			double effectFloor) {
		double[] r = finiteSorted(reference, null);
		double[] c = finiteSorted(current, null);
		double ks = DriftStats.ks(r, c);
		double psi = DriftStats.psi(r, c, DriftStats.decileEdges(r));
		double[] normal = new double[blocks.size()];
		for (int b = 0; b < blocks.size(); b++) {
			normal[b] = DriftStats.ks(r, finiteSorted(reference, blocks.get(b)));
		}
		double threshold = Calibration.upper(normal, q);
		double std = Calibration.sd(r);
		return new NumericDrift(ks, threshold, psi, DriftStats.ksPValue(r, c),
				(std > 0) ? DriftStats.wasserstein(r, c) / std : 0.0, ks > threshold && psi >= effectFloor);
	}

	/** Finite values of a column (all rows, or the given ones), sorted. */
	static double[] finiteSorted(NumericColumn c, int[] rows) {
		int n = (rows != null) ? rows.length : c.size();
		double[] out = new double[n];
		int k = 0;
		for (int i = 0; i < n; i++) {
			int r = (rows != null) ? rows[i] : i;
			double v = c.values()[r];
			if (!c.isNull(r) && Double.isFinite(v)) {
				out[k++] = v;
			}
		}
		out = Arrays.copyOf(out, k);
		Arrays.sort(out);
		return out;
	}

}

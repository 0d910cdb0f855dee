package dev.retrain.models.drift;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.retrain.models.dataset.StringColumn;

/**
 * Drift of one categorical feature: the Jensen-Shannon distance of its category shares
 * against the spread of that distance across reference blocks (the distance is also the
 * effect size), with a chi-square p-value and the share of categories the reference never
 * saw.
 *
 * @param jensenShannon Jensen-Shannon distance (base 2) of the current shares against the
 * reference's
 * @param threshold the level {@code jensenShannon} exceeds with probability {@code 1 - q}
 * in normal batches
 * @param chiSquarePValue chi-square goodness-of-fit p-value against the reference shares
 * (unseen categories pooled in one cell), for reference
 * @param unseenRate share of current rows whose category is not in the reference (0 for
 * no rows)
 * @param drifted {@code jensenShannon} above its threshold and at least the floor
 */
public record CategoricalDrift(double jensenShannon, double threshold, double chiSquarePValue, double unseenRate,
		boolean drifted) {

	/** Stands for a missing value among the categories. */
	static final String MISSING = "(missing)";

	/** Expected share given to the pooled unseen categories in the chi-square test. */
	static final double UNSEEN_SHARE = 1e-4;

	/**
	 * Tests the categories of {@code current} against those of {@code reference}; the
	 * threshold is calibrated on the reference's {@code blocks} (see {@link Calibration})
	 * at the {@code q} quantile.
	 */
	public static CategoricalDrift test(StringColumn reference, StringColumn current, List<int[]> blocks, double q,
			double effectFloor) {
		Map<String, Long> r = counts(reference.values(), null);
		Map<String, Long> c = counts(current.values(), null);
		double js = DriftStats.jensenShannon(r, c);
		double[] normal = new double[blocks.size()];
		for (int b = 0; b < blocks.size(); b++) {
			normal[b] = DriftStats.jensenShannon(r, counts(reference.values(), blocks.get(b)));
		}
		double threshold = Calibration.upper(normal, q);
		long total = c.values().stream().mapToLong(Long::longValue).sum();
		long unseen = c.entrySet()
			.stream()
			.filter(e -> !r.containsKey(e.getKey()))
			.mapToLong(Map.Entry::getValue)
			.sum();
		List<String> categories = new ArrayList<>(r.keySet());
		double rt = r.values().stream().mapToLong(Long::longValue).sum();
		double[] expected = new double[categories.size() + 1];
		long[] observed = new long[categories.size() + 1];
		for (int k = 0; k < categories.size(); k++) {
			expected[k] = r.get(categories.get(k)) / rt;
			observed[k] = c.getOrDefault(categories.get(k), 0L);
		}
		expected[categories.size()] = UNSEEN_SHARE;
		observed[categories.size()] = unseen;
		return new CategoricalDrift(js, threshold, DriftStats.chiSquarePValue(expected, observed),
				(total > 0) ? (double) unseen / total : 0.0, js > threshold && js >= effectFloor);
	}

	/**
	 * How often each category occurs (all rows, or the given ones); a missing value
	 * counts as {@link #MISSING}.
	 */
	static Map<String, Long> counts(String[] values, int[] rows) {
		Map<String, Long> m = new HashMap<>();
		int n = (rows != null) ? rows.length : values.length;
		for (int i = 0; i < n; i++) {
			String v = values[(rows != null) ? rows[i] : i];
			m.merge((v != null) ? v : MISSING, 1L, Long::sum);
		}
		return m;
	}

}

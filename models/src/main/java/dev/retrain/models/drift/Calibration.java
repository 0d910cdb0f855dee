package dev.retrain.models.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * What "normal" looks like at the current batch size, taken from the reference itself.
 * Reference rows are grouped into blocks of as many consecutive days as the current
 * window covers, each cut to the current row count, so a statistic's spread across blocks
 * includes day-to-day and weekly variation as well as sampling noise. With fewer than
 * {@code minBlocks} such blocks (a short reference), random subsamples of the current
 * size are used instead.
 */
public final class Calibration {

	static final int RANDOM_SUBSAMPLES = 100;

	private Calibration() {
	}

	/** Row indices of each block. */
	public static List<int[]> blocks(int[] epochDays, int currentDays, int currentRows, int minBlocks, long seed) {
		Random random = new Random(seed);
		List<Integer> days = new ArrayList<>(new TreeSet<>(Arrays.stream(epochDays).boxed().toList()));
		List<int[]> blocks = new ArrayList<>();
		if (days.size() - currentDays + 1 >= minBlocks) {
			for (int s = 0; s + currentDays <= days.size(); s++) {
				int from = days.get(s);
				int to = days.get(s + currentDays - 1);
				List<Integer> rows = new ArrayList<>();
				for (int r = 0; r < epochDays.length; r++) {
					if (epochDays[r] >= from && epochDays[r] <= to) {
						rows.add(r);
					}
				}
				blocks.add(cut(rows.stream().mapToInt(Integer::intValue).toArray(), currentRows, random));
			}
			return blocks;
		}
		int[] all = new int[epochDays.length];
		for (int i = 0; i < all.length; i++) {
			all[i] = i;
		}
		for (int b = 0; b < RANDOM_SUBSAMPLES; b++) {
			blocks.add(cut(all, Math.min(currentRows, all.length / 2), random));
		}
		return blocks;
	}

	/** At most {@code n} of the rows, chosen at random, in ascending order. */
	static int[] cut(int[] rows, int n, Random random) {
		if (rows.length <= n) {
			return rows;
		}
		int[] a = rows.clone();
		for (int i = 0; i < n; i++) {
			int j = i + random.nextInt(a.length - i);
			int t = a[i];
			a[i] = a[j];
			a[j] = t;
		}
		int[] chosen = Arrays.copyOf(a, n);
		Arrays.sort(chosen);
		return chosen;
	}

	/** The {@code q} quantile (linear interpolation) of the statistic across blocks. */
	public static double quantile(double[] values, double q) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return DriftStats.quantile(sorted, q);
	}

	/**
	 * The level a statistic exceeds with probability {@code 1 - q} in normal batches.
	 * With a few dozen blocks an extreme empirical quantile is just the largest block,
	 * which a new batch beats about once in (blocks + 1) whatever {@code q} asks; so the
	 * larger of that and a normal tail fitted to the blocks (mean + z_q sd) is used.
	 */
	public static double upper(double[] values, double q) {
		return Math.max(quantile(values, q), mean(values) + z(q) * sd(values));
	}

	/**
	 * The lower counterpart of {@link #upper}: exceeded downwards with probability
	 * {@code 1 - q}.
	 */
	public static double lower(double[] values, double q) {
		return Math.min(quantile(values, 1 - q), mean(values) - z(q) * sd(values));
	}

	static double z(double q) {
		return NormalDistribution.of(0, 1).inverseCumulativeProbability(q);
	}

	static double mean(double[] v) {
		return Arrays.stream(v).average().orElse(Double.NaN);
	}

	static double sd(double[] v) {
		if (v.length < 2) {
			return 0;
		}
		double m = mean(v);
		double ss = 0;
		for (double x : v) {
			ss += (x - m) * (x - m);
		}
		return Math.sqrt(ss / (v.length - 1));
	}

}

package dev.retrain.models.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.metrics.Predictions;

/**
 * Reference against current distribution of one variable, for people to look at (the
 * tests use their own bins): the share of each side's values in each bin.
 *
 * @param bins one label per bin (a numeric bin's lower edge, or a category)
 * @param reference share of the reference's values in each bin (sums to 1 where it has
 * any)
 * @param current share of the current values in each bin
 */
public record Histogram(List<String> bins, List<Double> reference, List<Double> current) {

	/** Bins of a numeric histogram. */
	public static final int NUMERIC_BINS = 20;

	/** Categories shown by name; the rest are summed into "(other)". */
	public static final int TOP_CATEGORIES = 12;

	/**
	 * Equal-width bins over the 0.5% to 99.5% range of both sides together, the outer
	 * bins open-ended so that outliers neither vanish nor squash the rest. Missing and
	 * non-finite values are left out.
	 */
	public static Histogram numeric(NumericColumn reference, NumericColumn current) {
		return numeric(finite(reference), finite(current));
	}

	/** The same over plain values (e.g. a model's scores). */
	public static Histogram numeric(double[] reference, double[] current) {
		double[] all = new double[reference.length + current.length];
		System.arraycopy(reference, 0, all, 0, reference.length);
		System.arraycopy(current, 0, all, reference.length, current.length);
		Arrays.sort(all);
		if (all.length == 0) {
			return new Histogram(List.of(), List.of(), List.of());
		}
		double lo = all[(int) Math.floor(0.005 * (all.length - 1))];
		double hi = all[(int) Math.ceil(0.995 * (all.length - 1))];
		int bins = (hi > lo) ? NUMERIC_BINS : 1;
		double width = (hi > lo) ? (hi - lo) / bins : 1;
		List<String> labels = new ArrayList<>();
		for (int b = 0; b < bins; b++) {
			labels.add(String.format(Locale.ROOT, "%.4g", lo + b * width));
		}
		return new Histogram(labels, shares(reference, lo, width, bins), shares(current, lo, width, bins));
	}

	/**
	 * The {@link #TOP_CATEGORIES} most frequent categories of both sides together (by the
	 * larger of their two shares, so a category new in the current window shows), then
	 * "(other)" when more exist. Missing values are left out.
	 */
	public static Histogram categorical(StringColumn reference, StringColumn current) {
		Map<String, Double> ref = frequencies(reference);
		Map<String, Double> cur = frequencies(current);
		Map<String, Double> weight = new HashMap<>(ref);
		cur.forEach((k, v) -> weight.merge(k, v, Math::max));
		List<String> order = weight.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
			.map(Map.Entry::getKey)
			.toList();
		List<String> shown = new ArrayList<>(order.subList(0, Math.min(TOP_CATEGORIES, order.size())));
		List<Double> r = new ArrayList<>();
		List<Double> c = new ArrayList<>();
		for (String k : shown) {
			r.add(ref.getOrDefault(k, 0.0));
			c.add(cur.getOrDefault(k, 0.0));
		}
		if (order.size() > shown.size()) {
			r.add(Math.max(0, 1 - r.stream().mapToDouble(Double::doubleValue).sum()));
			c.add(Math.max(0, 1 - c.stream().mapToDouble(Double::doubleValue).sum()));
			shown.add("(other)");
		}
		return new Histogram(shown, r, c);
	}

	/**
	 * The model's watched score (P(positive), the top-class probability, or the predicted
	 * value) on the reference against now.
	 */
	public static Histogram scores(Predictions reference, Predictions current) {
		return numeric(ScoreDrift.scores(reference, null), ScoreDrift.scores(current, null));
	}

	private static List<Double> shares(double[] values, double lo, double width, int bins) {
		double[] counts = new double[bins];
		for (double v : values) {
			int b = (int) Math.floor((v - lo) / width);
			counts[Math.max(0, Math.min(bins - 1, b))]++;
		}
		List<Double> out = new ArrayList<>(bins);
		for (double n : counts) {
			out.add(values.length == 0 ? 0.0 : n / values.length);
		}
		return out;
	}

	private static double[] finite(NumericColumn c) {
		double[] out = new double[c.size()];
		int n = 0;
		for (int i = 0; i < c.size(); i++) {
			if (!c.isNull(i) && Double.isFinite(c.values()[i])) {
				out[n++] = c.values()[i];
			}
		}
		return Arrays.copyOf(out, n);
	}

	private static Map<String, Double> frequencies(StringColumn c) {
		Map<String, Double> counts = new HashMap<>();
		int n = 0;
		for (String v : c.values()) {
			if (v != null) {
				counts.merge(v, 1.0, Double::sum);
				n++;
			}
		}
		int total = n;
		counts.replaceAll((k, v) -> v / total);
		return counts;
	}

}

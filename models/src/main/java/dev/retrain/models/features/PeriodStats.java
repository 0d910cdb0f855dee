package dev.retrain.models.features;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the derived features need of one period (a {@code dt=} partition, a day, as
 * {@code LocalDate.toEpochDay()}): the labelled rows' count and label sum, overall and
 * per value of each key column, and each context column's count and sum. Small (one entry
 * per key value), so a model stores those of its last periods to serve.
 */
public record PeriodStats(int day, Sum label, Map<String, Map<String, Sum>> labelByKey, Map<String, Sum> columns) {

	public PeriodStats {
		label = (label != null) ? label : Sum.ZERO;
		TreeMap<String, Map<String, Sum>> byKey = new TreeMap<>();
		if (labelByKey != null) {
			labelByKey.forEach((k, v) -> byKey.put(k, Map.copyOf(new TreeMap<>(v))));
		}
		labelByKey = Map.copyOf(byKey);
		columns = (columns != null) ? Map.copyOf(columns) : Map.of();
	}

	/** A count and a sum; the mean is missing (NaN) without values. */
	public record Sum(long n, double sum) {

		static final Sum ZERO = new Sum(0, 0);

		Sum plus(Sum other) {
			return new Sum(this.n + other.n, this.sum + other.sum);
		}

		public double mean() {
			return (this.n > 0) ? this.sum / this.n : Double.NaN;
		}

	}

}

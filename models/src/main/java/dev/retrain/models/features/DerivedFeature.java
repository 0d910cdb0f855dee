package dev.retrain.models.features;

/**
 * A feature the platform computes from earlier periods (a period is one {@code dt=} date
 * partition, a day), declared in a pipeline's {@code derived:} list and then a numeric
 * model input like any other.
 * <ul>
 * <li>{@link Kind#LABEL_RATE}: the share of the positive class (binary) or the mean label
 * (regression) over the labelled rows of the periods {@code d - lagPeriods -
 * periods + 1 .. d - lagPeriods} for a row of period {@code d}; overall, or, with a
 * {@code key} column, among the rows of those periods with the row's value of the key.
 * {@code key: period} (or none) is the overall rate. Missing when those periods have no
 * labelled row (of that key value).</li>
 * <li>{@link Kind#CONTEXT}: the row's value of the numeric column {@code of} minus that
 * column's mean over the periods {@code d - periods .. d - 1} (the row's value relative
 * to the recent periods' mean, as a difference). Missing when the value is missing or
 * those periods have no value.</li>
 * </ul>
 * A period's own rows never contribute to its derived values: no label and no mean of the
 * period being scored (nor of a later one) is used.
 */
public record DerivedFeature(String name, Kind kind, String key, int lagPeriods, int periods, String of) {

	/** The {@code key} that means the overall rate of the period. */
	public static final String PERIOD = "period";

	public DerivedFeature {
		key = (key == null || key.isBlank() || PERIOD.equals(key)) ? null : key;
	}

	public static DerivedFeature labelRate(String name, String key, int lagPeriods, int periods) {
		return new DerivedFeature(name, Kind.LABEL_RATE, key, lagPeriods, periods, null);
	}

	public static DerivedFeature context(String name, String of, int periods) {
		return new DerivedFeature(name, Kind.CONTEXT, null, 0, periods, of);
	}

	public enum Kind {

		LABEL_RATE, CONTEXT

	}

	/** The first period before the row's period that contributes. */
	int newestLag() {
		return (this.kind == Kind.LABEL_RATE) ? this.lagPeriods : 1;
	}

	/** The last period before the row's period that contributes. */
	int oldestLag() {
		return newestLag() + this.periods - 1;
	}

}

package dev.retrain.models.committee;

import java.util.Locale;

/**
 * A committee of the last {@code size} kept versions and how their weights follow the
 * labels ({@link CommitteeWeights}): {@link Weighting#HEDGE} with learning rate
 * {@code eta}, or {@link Weighting#BEST_RECENT}. The committee's prediction is the
 * weighted vote of its members ({@link CommitteeVote}).
 */
public record CommitteeSpec(int size, Weighting weighting, double eta) {

	/**
	 * The learning rate when none is given: a member whose loss on each labelled period
	 * is 0.05 above another's (5 points of error) loses a factor e^-1 against it in 4
	 * periods.
	 */
	public static final double DEFAULT_ETA = 5.0;

	public CommitteeSpec {
		if (size < 1) {
			throw new IllegalArgumentException("a committee needs a size of 1 or more, got " + size);
		}
		if (weighting == null) {
			throw new IllegalArgumentException("a committee needs a weighting (hedge or best-recent)");
		}
		if (!(eta > 0) || Double.isInfinite(eta)) {
			throw new IllegalArgumentException("eta must be a finite number above 0, got " + eta);
		}
	}

	/** How the weights follow the labelled periods. */
	public enum Weighting {

		/**
		 * Hedge (exponential weights): after each labelled period
		 * {@code w_i <- w_i * exp(-eta * loss_i)}, then normalised to sum 1.
		 */
		HEDGE,

		/**
		 * All the weight on the member with the lowest loss on the newest labelled period
		 * (ties: the newest of them).
		 */
		BEST_RECENT;

		/** As written in a pipeline file: {@code hedge}, {@code best-recent}. */
		public String key() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	/** As a pipeline file writes it, for reports and logs. */
	public String describe() {
		return (this.weighting == Weighting.HEDGE)
				? String.format(Locale.ROOT, "committee of the last %d versions, hedge (eta %s)", this.size,
						trim(this.eta))
				: String.format(Locale.ROOT, "committee of the last %d versions, best-recent", this.size);
	}

	private static String trim(double v) {
		return (v == Math.rint(v)) ? String.valueOf((long) v) : String.valueOf(v);
	}

}

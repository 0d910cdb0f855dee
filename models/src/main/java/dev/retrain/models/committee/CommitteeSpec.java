package dev.retrain.models.committee;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A committee of the last {@code size} kept versions and how their weights follow the
 * labels ({@link CommitteeWeights}): {@link Weighting#HEDGE} with learning rate
 * {@code eta} and fixed share {@code share} (Herbster and Warmuth's "tracking the best
 * expert"; 0, the default, is plain Hedge), or {@link Weighting#BEST_RECENT}. The
 * committee's prediction is the weighted vote of its members ({@link CommitteeVote}).
 */
public record CommitteeSpec(int size, Weighting weighting, double eta, double share) {

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
		if (!(share >= 0 && share < 1)) {
			throw new IllegalArgumentException("share must be in [0, 1), got " + share);
		}
		if (share > 0 && weighting == Weighting.BEST_RECENT) {
			throw new IllegalArgumentException(
					"share applies to hedge only (best-recent puts all the weight on one member), got " + share);
		}
	}

	/**
	 * As JSON holds it: a spec written before there was a share (a committee's manifest,
	 * a backtest's report) has none, which is 0.
	 */
	@JsonCreator
	static CommitteeSpec fromJson(@JsonProperty("size") int size, @JsonProperty("weighting") Weighting weighting,
			@JsonProperty("eta") double eta, @JsonProperty("share") Double share) {
		return new CommitteeSpec(size, weighting, eta, (share != null) ? share : 0.0);
	}

	/** A committee without fixed share (plain Hedge, or best-recent). */
	public CommitteeSpec(int size, Weighting weighting, double eta) {
		this(size, weighting, eta, 0.0);
	}

	/** How the weights follow the labelled periods. */
	public enum Weighting {

		/**
		 * Hedge (exponential weights): after each labelled period
		 * {@code w_i <- w_i * exp(-eta * loss_i)}, then normalised to sum 1; with a
		 * {@code share} alpha above 0 then {@code w_i <- (1 - alpha) * w_i + alpha / n}
		 * (fixed share, n members), so no member falls below {@code alpha / n}.
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
		if (this.weighting != Weighting.HEDGE) {
			return String.format(Locale.ROOT, "committee of the last %d versions, best-recent", this.size);
		}
		return (this.share > 0)
				? String.format(Locale.ROOT, "committee of the last %d versions, hedge (eta %s, share %s)", this.size,
						trim(this.eta), trim(this.share))
				: String.format(Locale.ROOT, "committee of the last %d versions, hedge (eta %s)", this.size,
						trim(this.eta));
	}

	private static String trim(double v) {
		return (v == Math.rint(v)) ? String.valueOf((long) v) : String.valueOf(v);
	}

}

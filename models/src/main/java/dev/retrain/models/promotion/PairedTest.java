package dev.retrain.models.promotion;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How the policy tests that the candidate beats the champion beyond noise, on the same
 * holdout rows: a two-sided interval at {@code confidence} for the difference of the
 * primary metric, oriented so that positive means the candidate is better (for
 * {@code log_loss}, {@code rmse} and {@code mae}: champion minus candidate). The
 * candidate wins when the interval's lower bound is above {@code margin}: 0 asks for a
 * win beyond noise, a positive margin for a win by at least that much, a negative one for
 * "not worse than the champion by more than |margin|" (non-inferiority).
 * {@code resamples} and {@code seed} are the bootstrap's.
 */
public record PairedTest(Method method, double confidence, double margin, int resamples, long seed) {

	public static final int DEFAULT_RESAMPLES = 1000;

	public static final long DEFAULT_SEED = 20_27L;

	public enum Method {

		/** Resample the holdout rows with replacement; percentile interval. */
		PAIRED_BOOTSTRAP,
		/**
		 * Per-row correctness (accuracy): exact binomial test on the discordant pairs and
		 * the matching Clopper-Pearson interval.
		 */
		MCNEMAR;

		/**
		 * As the pipeline file and the API write it: {@code paired-bootstrap},
		 * {@code mcnemar}.
		 */
		@JsonValue
		public String key() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

}

package dev.retrain.models.promotion;

import java.util.Locale;

/**
 * The outcome of a {@link PairedTest} on the primary holdout: the observed difference of
 * {@code metric} (positive: the candidate is better, whichever way the metric points;
 * {@code orientation} says which subtraction) and its two-sided interval at
 * {@code confidence}. {@code pValue}: for McNemar the exact two-sided p-value of "both
 * are equally accurate"; for the bootstrap the share of resamples whose difference is not
 * above the margin (a one-sided, approximate p-value). {@code resamples} is null for
 * McNemar; {@code discordant} (rows where exactly one model is right) is null for the
 * bootstrap.
 */
public record PairedTestResult(String method, String metric, String orientation, double confidence, double margin,
		Integer resamples, int rows, Integer discordant, double difference, double lower, double upper, double pValue) {

	/** The candidate passes: the lower bound is above the margin. */
	public boolean passes() {
		return this.lower > this.margin;
	}

	/** One line: "roc_auc difference +0.0031, 95% interval [-0.0012, +0.0074]". */
	public String interval() {
		return String.format(Locale.ROOT, "%s difference %+.4f, %s%% interval [%+.4f, %+.4f]", this.metric,
				this.difference, percent(this.confidence), this.lower, this.upper);
	}

	/** The interval and what it means for the decision. */
	public String verdict() {
		String how = (this.resamples != null)
				? String.format(Locale.ROOT, "paired bootstrap, %d resamples of %d rows", this.resamples, this.rows)
				: String.format(Locale.ROOT, "McNemar, %d discordant of %d rows, p=%.4g", this.discordant, this.rows,
						this.pValue);
		String meaning;
		if (passes()) {
			meaning = (this.margin == 0) ? "excludes 0: the candidate is better beyond noise"
					: String.format(Locale.ROOT, "lies above the margin %+.4f", this.margin);
		}
		else if (this.margin == 0 && this.upper >= 0) {
			meaning = (this.difference > 0) ? "includes 0: the candidate's win may be noise"
					: "includes 0: the candidate is not shown to be better";
		}
		else {
			String shown = (this.margin < 0) ? "no worse than the champion by more than |margin|"
					: (this.margin > 0) ? "better by the margin" : "better";
			meaning = String.format(Locale.ROOT, "%s the margin %+.4f: the candidate is not shown to be %s",
					(this.upper <= this.margin) ? "lies below" : "does not lie above", this.margin, shown);
		}
		return interval() + " " + meaning + " (" + how + ")";
	}

	private static String percent(double confidence) {
		double p = confidence * 100;
		return (p == Math.rint(p)) ? String.valueOf((long) p) : String.format(Locale.ROOT, "%.1f", p);
	}

}

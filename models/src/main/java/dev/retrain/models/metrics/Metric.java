package dev.retrain.models.metrics;

import java.util.Locale;

import dev.retrain.models.features.Task;

/** Holdout metrics and which way is better. */
public enum Metric {

	ACCURACY(true, true), F1(true, true), ROC_AUC(true, true), LOG_LOSS(false, true), RMSE(false, false),
	MAE(false, false);

	private final boolean higherIsBetter;

	private final boolean classification;

	Metric(boolean higherIsBetter, boolean classification) {
		this.higherIsBetter = higherIsBetter;
		this.classification = classification;
	}

	public boolean higherIsBetter() {
		return this.higherIsBetter;
	}

	public boolean appliesTo(Task task) {
		return this.classification == task.isClassification();
	}

	/**
	 * How much better {@code candidate} is than {@code reference} (negative: worse), in
	 * the metric's units.
	 */
	public double improvement(double candidate, double reference) {
		return this.higherIsBetter ? candidate - reference : reference - candidate;
	}

	public String key() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static Metric fromKey(String key) {
		return valueOf(key.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
	}

}

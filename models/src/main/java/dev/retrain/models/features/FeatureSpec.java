package dev.retrain.models.features;

/**
 * A model input as configured: a numeric feature (standardised, missing values imputed
 * with an indicator, optional allowed range) or a categorical one (vocabulary with an
 * unknown bucket).
 */
public record FeatureSpec(String name, FeatureType type, Double min, Double max) {

	public enum FeatureType {

		NUMERIC, CATEGORICAL

	}

	public static FeatureSpec numeric(String name) {
		return new FeatureSpec(name, FeatureType.NUMERIC, null, null);
	}

	public static FeatureSpec categorical(String name) {
		return new FeatureSpec(name, FeatureType.CATEGORICAL, null, null);
	}

	public boolean isNumeric() {
		return this.type == FeatureType.NUMERIC;
	}

}

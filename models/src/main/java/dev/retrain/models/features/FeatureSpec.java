package dev.retrain.models.features;

import java.util.List;

/**
 * A model input as configured: a numeric feature (standardised, missing values imputed
 * with an indicator, optional allowed range) or a categorical one (vocabulary with an
 * unknown bucket). {@code categories}, when given, fixes a categorical feature's
 * vocabulary in that order instead of learning it from the data, so the encoded width
 * does not change between retrains (what a model of a fixed input width, such as a
 * TorchScript module, needs); null otherwise.
 */
public record FeatureSpec(String name, FeatureType type, Double min, Double max, List<String> categories) {

	public FeatureSpec {
		categories = (categories != null) ? List.copyOf(categories) : null;
	}

	public FeatureSpec(String name, FeatureType type, Double min, Double max) {
		this(name, type, min, max, null);
	}

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

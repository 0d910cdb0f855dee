package dev.retrain.models.features;

import java.util.List;

import dev.retrain.models.features.FeatureSpec.FeatureType;

/**
 * What one feature learnt from training data, stored with the model: for a numeric
 * feature the mean and standard deviation (encoded as the standardised value plus a
 * missing-value indicator), for a categorical one the vocabulary (encoded one-hot, with a
 * last bucket for unknown or missing values).
 */
public record FeatureEncoding(String name, FeatureType type, Double mean, Double std, List<String> vocabulary) {

	public int width() {
		return (this.type == FeatureType.NUMERIC) ? 2 : this.vocabulary.size() + 1;
	}

}

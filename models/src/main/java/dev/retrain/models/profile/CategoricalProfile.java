package dev.retrain.models.profile;

import java.util.Map;

/**
 * Share of each category among non-missing values of a categorical feature in training
 * data.
 */
public record CategoricalProfile(long count, double missingRate, Map<String, Double> frequencies) {
}

package dev.retrain.models.profile;

import java.util.List;

/**
 * Distribution of a numeric feature in training data: quantiles at 0%, 1%, ..., 100% of
 * the finite values.
 */
public record NumericProfile(long count, double missingRate, double mean, double std, double min, double max,
		List<Double> quantiles) {
}

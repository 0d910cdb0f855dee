package dev.retrain.models.profile;

import java.util.List;

/**
 * The model's own outputs on reference data: quantiles of the score (probability of the
 * positive class, the top-class probability for multiclass, the value for regression) and
 * the mean confidence.
 */
public record ScoreProfile(long count, List<Double> quantiles, double meanConfidence) {
}

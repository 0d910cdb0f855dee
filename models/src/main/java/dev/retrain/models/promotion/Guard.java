package dev.retrain.models.promotion;

import dev.retrain.models.metrics.Metric;

/**
 * A metric that may not get worse than the champion's by more than {@code maxRegression}
 * (in its own units).
 */
public record Guard(Metric metric, double maxRegression) {
}

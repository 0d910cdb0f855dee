package dev.retrain.models.training;

/**
 * One point of the training curve. {@code validationLoss} is NaN without a validation
 * split.
 */
public record EpochStats(int epoch, double trainLoss, double validationLoss, long millis) {
}

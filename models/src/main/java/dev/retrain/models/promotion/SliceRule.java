package dev.retrain.models.promotion;

/**
 * Per value of a categorical column, the primary metric may not get worse than the
 * champion's by more than {@code maxRegression}; slices with fewer than {@code minRows}
 * holdout rows are not judged.
 */
public record SliceRule(String column, double maxRegression, int minRows) {
}

package dev.retrain.models.serving;

/**
 * One row's prediction, and the version that made it.
 *
 * @param version the model version that scored the row
 * @param score binary classification: the probability of the second class; multiclass:
 * the probability of the predicted class; regression: the predicted value
 * @param label the predicted class (null for regression)
 * @param probabilities every class's probability in the version's class order (null for
 * regression)
 */
public record Scored(int version, double score, String label, double[] probabilities) {
}

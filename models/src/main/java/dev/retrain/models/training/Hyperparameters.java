package dev.retrain.models.training;

import java.util.Map;

/**
 * Training settings. {@code classWeights} maps class name to weight; {@code balancedClassWeights}
 * derives them from class frequencies instead. {@code patience} 0 turns early stopping off.
 */
public record Hyperparameters(int epochs, int batchSize, double learningRate, double weightDecay, int patience,
		double validationFraction, long seed, Map<String, Double> classWeights, boolean balancedClassWeights) {

	public Hyperparameters withEpochsAndLearningRate(int epochs, double learningRate) {
		return new Hyperparameters(epochs, this.batchSize, learningRate, this.weightDecay, this.patience,
				this.validationFraction, this.seed, this.classWeights, this.balancedClassWeights);
	}

}

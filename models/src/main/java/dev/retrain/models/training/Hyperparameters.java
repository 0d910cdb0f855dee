package dev.retrain.models.training;

import java.util.Map;

/**
 * Training settings. {@code classWeights} maps class name to weight;
 * {@code balancedClassWeights} derives them from class frequencies instead.
 * {@code patience} 0 turns early stopping off. With {@link Solver#NEWTON}, {@code epochs}
 * caps the iterations and {@code weightDecay} is the L2 penalty
 * ({@code weightDecay / 2 * |w|^2}, bias excluded) added to the mean loss.
 */
public record Hyperparameters(int epochs, int batchSize, double learningRate, double weightDecay, int patience,
		double validationFraction, long seed, Map<String, Double> classWeights, boolean balancedClassWeights,
		Solver solver) {

	public Hyperparameters {
		solver = (solver != null) ? solver : Solver.ADAM;
	}

	public Hyperparameters(int epochs, int batchSize, double learningRate, double weightDecay, int patience,
			double validationFraction, long seed, Map<String, Double> classWeights, boolean balancedClassWeights) {
		this(epochs, batchSize, learningRate, weightDecay, patience, validationFraction, seed, classWeights,
				balancedClassWeights, Solver.ADAM);
	}

	public Hyperparameters withEpochsAndLearningRate(int epochs, double learningRate) {
		return new Hyperparameters(epochs, this.batchSize, learningRate, this.weightDecay, this.patience,
				this.validationFraction, this.seed, this.classWeights, this.balancedClassWeights, this.solver);
	}

	/** The same with a search candidate's epochs, learning rate and weight decay. */
	public Hyperparameters with(int epochs, double learningRate, double weightDecay) {
		return new Hyperparameters(epochs, this.batchSize, learningRate, weightDecay, this.patience,
				this.validationFraction, this.seed, this.classWeights, this.balancedClassWeights, this.solver);
	}

}

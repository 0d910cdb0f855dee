package dev.retrain.models.training;

/**
 * Told after each epoch is checkpointed; may throw to stop training (e.g. the run was
 * asked to stop).
 */
@FunctionalInterface
public interface EpochListener {

	EpochListener NONE = (epoch, total, stats) -> {
	};

	void epochCompleted(int epoch, int totalEpochs, EpochStats stats);

}

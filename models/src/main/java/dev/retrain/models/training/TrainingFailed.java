package dev.retrain.models.training;

/** Training could not produce a usable model (diverged, no rows, bad warm start). */
public class TrainingFailed extends RuntimeException {

	public TrainingFailed(String message) {
		super(message);
	}

	public TrainingFailed(String message, Throwable cause) {
		super(message, cause);
	}

}

package dev.retrain.models.training;

/** Training could not produce a usable model (diverged, no rows, bad warm start). */
class TrainingFailed extends RuntimeException {

	TrainingFailed(String message) {
		super(message);
	}

	TrainingFailed(String message, Throwable cause) {
		super(message, cause);
	}

}

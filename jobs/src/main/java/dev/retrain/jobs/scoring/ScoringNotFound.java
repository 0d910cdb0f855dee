package dev.retrain.jobs.scoring;

/** No scoring has this id. */
public class ScoringNotFound extends RuntimeException {

	public ScoringNotFound(long id) {
		super("scoring " + id + " not found");
	}

}

package dev.retrain.models.promotion;

import java.util.Map;

/**
 * Candidate and champion measured on the same primary holdout. {@code champion} is null
 * when there is no champion or it could not be evaluated ({@code championUnavailable}
 * says why). {@code test} is the paired test of the primary metric, when the policy asks
 * for one and the champion was scored.
 */
public record Comparison(Map<String, Double> candidate, Map<String, Double> champion, Integer championVersion,
		String championUnavailable, Map<String, SliceResult> slices, PairedTestResult test) {

	public Comparison(Map<String, Double> candidate, Map<String, Double> champion, Integer championVersion,
			String championUnavailable, Map<String, SliceResult> slices) {
		this(candidate, champion, championVersion, championUnavailable, slices, null);
	}

	/** The primary metric on one slice of the holdout. */
	public record SliceResult(int rows, double candidate, double champion) {
	}

}

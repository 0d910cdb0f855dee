package dev.retrain.jobs.retrain;

import java.util.Map;

import dev.retrain.models.promotion.Comparison;
import dev.retrain.models.promotion.PairedTestResult;

/**
 * Candidate and champion metrics per holdout (the first is primary) and, on the primary
 * one, per slice and the paired test of {@code promotion.test} (null without one).
 */
record EvaluationInfo(String primaryHoldout, Map<String, Map<String, Double>> candidate, Integer championVersion,
		Map<String, Map<String, Double>> champion, String championUnavailable,
		Map<String, Comparison.SliceResult> slices, PairedTestResult test) {

	Comparison primaryComparison() {
		return new Comparison(this.candidate.get(this.primaryHoldout),
				(this.champion != null) ? this.champion.get(this.primaryHoldout) : null, this.championVersion,
				this.championUnavailable, this.slices, this.test);
	}

}

package dev.retrain.jobs.pipeline;

/**
 * Batch scoring and the labels that land after it: the scoring key identifies a row (it
 * is not a feature), and labels join the predictions on that key.
 */
final class ScoringRules {

	private ScoringRules() {
	}

	static PipelineDefinition.Scoring scoring(PipelineYaml y, PipelineRules.Problems problems) {
		PipelineYaml.Scoring s = y.scoring();
		if (s == null) {
			return new PipelineDefinition.Scoring(null, "predictions/" + y.name(), null);
		}
		if (s.key() != null && y.features() != null
				&& y.features().stream().anyMatch(f -> f != null && s.key().equals(f.name()))) {
			problems.add("scoring.key",
					"'" + s.key() + "' is a feature; the key identifies a row (an id column), it is not scored");
		}
		return new PipelineDefinition.Scoring(s.key(),
				(s.output() != null && !s.output().isBlank()) ? s.output() : "predictions/" + y.name(),
				TriggerRules.schedule("scoring.schedule", s.schedule(), problems));
	}

	static PipelineDefinition.Labels labels(PipelineYaml y, PipelineRules.Problems problems) {
		PipelineYaml.Labels l = y.labels();
		if (l == null) {
			return null;
		}
		String key = (l.key() != null) ? l.key() : (y.scoring() != null) ? y.scoring().key() : null;
		if (key == null) {
			problems.add("labels.key", "is required (or scoring.key): the column that joins labels to the predictions");
		}
		else if (y.scoring() == null || y.scoring().key() == null) {
			problems.add("scoring.key",
					"is required with labels: the predictions must carry the key the labels join on");
		}
		return new PipelineDefinition.Labels(l.path(), key,
				(l.column() != null) ? l.column() : (y.label() != null) ? y.label().column() : null);
	}

}

package dev.retrain.jobs.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.retrain.models.files.PathSegment;

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
				TriggerRules.schedule("scoring.schedule", s.schedule(), problems), shadow(s.shadow(), problems));
	}

	/**
	 * {@code scoring.shadow}: each entry an alias of the registry (a name) or a version
	 * number ({@code 3} or {@code v3}); not the champion (it is scored anyway), not
	 * twice. A version is kept as its number; an alias as its name, resolved when the
	 * date is scored.
	 */
	static List<String> shadow(List<String> entries, PipelineRules.Problems problems) {
		if (entries == null) {
			return List.of();
		}
		List<String> out = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < entries.size(); i++) {
			String field = "scoring.shadow[" + i + "]";
			String e = (entries.get(i) != null) ? entries.get(i).strip() : null;
			if (e == null || e.isEmpty()) {
				problems.add(field, "is empty: name an alias of the registry or a version number");
				continue;
			}
			String entry;
			if (e.matches("[vV]?[0-9]{1,9}")) {
				int version = Integer.parseInt(e.replaceFirst("^[vV]", ""));
				if (version < 1) {
					problems.add(field, "'" + e + "' is not a version: versions are numbered from 1");
					continue;
				}
				entry = String.valueOf(version);
			}
			else if (!PathSegment.isName(e)) {
				problems.add(field, "'" + e + "' is neither a version number nor an alias name (an alias must match "
						+ PathSegment.NAME.pattern() + ")");
				continue;
			}
			else if (e.equals("champion")) {
				problems.add(field, "the champion is always scored: name the versions or aliases to score beside it");
				continue;
			}
			else {
				entry = e;
			}
			if (!seen.add(entry)) {
				problems.add(field, "'" + e + "' is listed twice");
				continue;
			}
			out.add(entry);
		}
		return out;
	}

	/**
	 * {@code promotion.shadow}: only with shadows to promote ({@code scoring.shadow}) and
	 * labels to judge them on ({@code labels}, which needs {@code scoring.key}).
	 */
	static PipelineDefinition.ShadowPromotion shadowPromotion(PipelineYaml y, PipelineRules.Problems problems) {
		PipelineYaml.Shadow s = (y.promotion() != null) ? y.promotion().shadow() : null;
		if (s == null || s.periods() == null) {
			return null;
		}
		if (y.scoring() == null || y.scoring().shadow() == null || y.scoring().shadow().isEmpty()) {
			problems.add("promotion.shadow",
					"needs scoring.shadow: the versions scored beside the champion that may replace it");
		}
		if (y.labels() == null) {
			problems.add("promotion.shadow", "needs a labels section: shadows are judged on the labels that land");
		}
		return (s.periods() >= 1) ? new PipelineDefinition.ShadowPromotion(s.periods()) : null;
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

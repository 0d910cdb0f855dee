package dev.retrain.jobs.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.retrain.models.features.DerivedFeature;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.Task;

/**
 * The {@code derived:} section: features the platform computes from earlier periods
 * ({@link DerivedFeature}). Each name once and not a feature's or the label's; a label
 * rate only of a binary or regression label, keyed by {@code period} (the overall rate)
 * or a listed feature, and never with a lag that would need a label not yet known when a
 * period is scored: {@code lag-periods} must be at least {@code label.delay-periods + 1}
 * (a period's labels are known {@code delay-periods} after it ends). A context feature is
 * of a numeric feature, {@code stat: mean}.
 */
final class DerivedRules {

	private DerivedRules() {
	}

	static List<DerivedFeature> derived(PipelineYaml y, List<FeatureSpec> features, PipelineRules.Problems problems) {
		List<DerivedFeature> derived = new ArrayList<>();
		if (y.derived() == null) {
			return derived;
		}
		Task task = (y.label() != null && y.label().task() != null) ? y.label().task().task : null;
		int delay = (y.label() != null) ? y.label().delayPeriods() : 0;
		String labelColumn = (y.label() != null) ? y.label().column() : null;
		Set<String> names = new HashSet<>();
		features.forEach(f -> names.add(f.name()));
		for (int i = 0; i < y.derived().size(); i++) {
			PipelineYaml.Derived d = y.derived().get(i);
			String at = "derived[" + i + "]";
			if (d == null || d.name() == null || d.name().isBlank() || d.type() == null) {
				continue;
			}
			if (d.name().equals(labelColumn)) {
				problems.add(at + ".name", "'" + d.name() + "' is the label column");
			}
			else if (!names.add(d.name())) {
				problems.add(at + ".name", "'" + d.name() + "' is already a feature's or a derived feature's name");
			}
			if (d.type() == PipelineYaml.DerivedType.LABEL_RATE) {
				int lag = (d.lagPeriods() != null) ? d.lagPeriods() : delay + 1;
				if (lag < delay + 1) {
					problems.add(at + ".lag-periods",
							"must be at least " + (delay + 1) + ", was " + lag + ": the label of a period "
									+ ((delay == 0) ? "is known only once it ends"
											: "is known " + delay + " period(s) after it ends (label.delay-periods)")
									+ ", so a lag of " + lag
									+ " would use a label not yet available when a period is scored");
				}
				if (task == Task.MULTICLASS_CLASSIFICATION) {
					problems.add(at + ".type", "a label rate needs a binary or regression label (the share of the "
							+ "positive class, or the mean label), not a multiclass one");
				}
				if (d.of() != null || d.stat() != null) {
					problems.add(at, "of and stat only apply to context features");
				}
				String key = d.key();
				if (key != null && !DerivedFeature.PERIOD.equals(key)
						&& features.stream().noneMatch(f -> f.name().equals(key))) {
					problems.add(at + ".key", "'" + key + "' must be 'period' (the overall rate) or a listed feature");
				}
				derived.add(DerivedFeature.labelRate(d.name(), key, lag, d.periods()));
			}
			else {
				if (d.key() != null || d.lagPeriods() != null) {
					problems.add(at, "key and lag-periods only apply to label-rate features (a context feature "
							+ "compares with the periods just before, which need no label)");
				}
				if (d.of() == null || d.of().isBlank()) {
					problems.add(at + ".of", "is required: the numeric feature to compare with its earlier mean");
				}
				else if (features.stream().noneMatch(f -> f.name().equals(d.of()) && f.isNumeric())) {
					problems.add(at + ".of", "'" + d.of() + "' must be a numeric feature");
				}
				derived.add(DerivedFeature.context(d.name(), d.of(), d.periods()));
			}
		}
		return derived;
	}

}

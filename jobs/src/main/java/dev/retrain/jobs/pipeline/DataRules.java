package dev.retrain.jobs.pipeline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.FeatureSpec.FeatureType;
import dev.retrain.models.features.Task;

/**
 * The data sections of a pipeline file: features (each name once, min/max only on
 * numerics), the label (classes that fit the task, not also a feature) and the holdouts
 * (each name once, a golden one with a path).
 */
final class DataRules {

	private DataRules() {
	}

	static List<FeatureSpec> features(List<PipelineYaml.Feature> list, PipelineRules.Problems problems) {
		List<FeatureSpec> features = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (int i = 0; list != null && i < list.size(); i++) {
			PipelineYaml.Feature f = list.get(i);
			String at = "features[" + i + "]";
			if (f == null || f.name() == null || f.name().isBlank()) {
				continue;
			}
			if (!seen.add(f.name())) {
				problems.add(at + ".name", "'" + f.name() + "' is listed twice");
			}
			if (f.type() == FeatureType.CATEGORICAL && (f.min() != null || f.max() != null)) {
				problems.add(at, "min/max only apply to numeric features");
			}
			if (f.min() != null && f.max() != null && f.min() > f.max()) {
				problems.add(at + ".min", "must not exceed max (" + f.min() + " > " + f.max() + ")");
			}
			if (f.categories() != null && f.type() == FeatureType.NUMERIC) {
				problems.add(at + ".categories", "only apply to categorical features");
			}
			if (f.categories() != null && f.categories().isEmpty()) {
				problems.add(at + ".categories", "must list at least one category (or leave it out to learn them)");
			}
			if (f.categories() != null && f.categories().stream().distinct().count() < f.categories().size()) {
				problems.add(at + ".categories", "lists a category twice: " + f.categories());
			}
			if (f.type() != null) {
				features.add(new FeatureSpec(f.name(), f.type(), f.min(), f.max(),
						(f.type() == FeatureType.CATEGORICAL) ? f.categories() : null));
			}
		}
		return features;
	}

	static PipelineDefinition.Label label(PipelineYaml.Label label, List<FeatureSpec> features,
			PipelineRules.Problems problems) {
		if (label == null) {
			return null;
		}
		Task task = (label.task() != null) ? label.task().task : null;
		List<String> classes = label.classes();
		if (classes != null && task == Task.REGRESSION) {
			problems.add("label.classes", "only applies to classification");
		}
		if (classes != null && task == Task.BINARY_CLASSIFICATION && classes.size() != 2) {
			problems.add("label.classes", "a binary label needs exactly 2 classes, got " + classes);
		}
		if (label.column() != null && features.stream().anyMatch(f -> f.name().equals(label.column()))) {
			problems.add("label.column", "'" + label.column() + "' is also listed as a feature");
		}
		return new PipelineDefinition.Label(label.column(), task, classes);
	}

	/** The holdouts; none listed: the newest 7 days, {@code recent}. */
	static List<HoldoutSpec> holdouts(List<PipelineYaml.Holdout> list, PipelineRules.Problems problems) {
		if (list == null || list.isEmpty()) {
			return List.of(new HoldoutSpec("recent", HoldoutSpec.Type.OUT_OF_TIME, 7, 0, 0, null));
		}
		List<HoldoutSpec> holdouts = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (int i = 0; i < list.size(); i++) {
			PipelineYaml.Holdout h = list.get(i);
			if (h == null) {
				continue;
			}
			String at = "holdouts[" + i + "]";
			String name = (h.name() != null) ? h.name() : "holdout" + i;
			if (!names.add(name)) {
				problems.add(at + ".name", "'" + name + "' is used twice");
			}
			switch (h.type()) {
				case OUT_OF_TIME ->
					holdouts.add(new HoldoutSpec(name, HoldoutSpec.Type.OUT_OF_TIME, h.days(), 0, 0, null));
				case RANDOM ->
					holdouts.add(new HoldoutSpec(name, HoldoutSpec.Type.RANDOM, 0, h.fraction(), h.seed(), null));
				case GOLDEN -> {
					if (h.path() == null || h.path().isBlank()) {
						problems.add(at + ".path", "is required");
					}
					holdouts.add(new HoldoutSpec(name, HoldoutSpec.Type.GOLDEN, 0, 0, 0, h.path()));
				}
			}
		}
		return holdouts;
	}

}

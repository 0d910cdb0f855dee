package dev.retrain.jobs.pipeline;

import java.util.List;

import dev.retrain.models.search.SearchSpace;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelFamily;

/**
 * The search section, each list defaulting to the model's own value; refused: an empty
 * list, a window longer than the data window (the run's snapshot covers only that), a
 * selection as long as the shortest window (a candidate would have no day to train on),
 * hidden layers for a linear model, a grid larger than the budget.
 */
final class SearchRules {

	private SearchRules() {
	}

	static PipelineDefinition.Search search(PipelineYaml.Search s, PipelineDefinition.Model model,
			PipelineDefinition.Training training, PipelineDefinition.Data data, List<HoldoutSpec> holdouts,
			PipelineRules.Problems problems) {
		if (s == null) {
			return null;
		}
		Hyperparameters hp = model.hyperparameters();
		List<Integer> windows = listed("search.windows-days", s.windowsDays(),
				(data != null) ? List.of(data.windowDays()) : List.of(1), problems);
		List<List<Integer>> layers = listed("search.hidden-layers", s.hiddenLayers(), List.of(model.hiddenLayers()),
				problems);
		List<Double> rates = listed("search.learning-rate", s.learningRate(), List.of(hp.learningRate()), problems);
		List<Double> decays = listed("search.weight-decay", s.weightDecay(), List.of(hp.weightDecay()), problems);
		List<Integer> epochs = listed("search.epochs", s.epochs(), List.of(hp.epochs()), problems);
		if (data != null) {
			for (int i = 0; i < windows.size(); i++) {
				if (windows.get(i) != null && windows.get(i) > data.windowDays()) {
					problems.add("search.windows-days[" + i + "]", windows.get(i) + " is longer than data.window-days ("
							+ data.windowDays() + "): a run's snapshot covers only that");
				}
			}
		}
		int outOfTime = holdouts.stream()
			.filter(h -> h.type() == HoldoutSpec.Type.OUT_OF_TIME)
			.mapToInt(HoldoutSpec::days)
			.max()
			.orElse(0);
		int shortest = windows.stream().filter(w -> w != null).mapToInt(Integer::intValue).min().orElse(1);
		if (s.selectionDays() != null && s.selectionDays() + outOfTime >= shortest) {
			problems.add("search.selection-days",
					s.selectionDays()
							+ ((outOfTime > 0) ? " (plus the out-of-time holdout's " + outOfTime + " days)" : "")
							+ " must be shorter than the shortest window (" + shortest
							+ " days): a candidate would have no day left to train on");
		}
		if (s.hiddenLayers() != null && model.family() == ModelFamily.LINEAR) {
			problems.add("search.hidden-layers", "only for family mlp (this model is linear)");
		}
		if (s.hiddenLayers() != null && model.family() == ModelFamily.PLUGIN) {
			problems.add("search.hidden-layers",
					"only for family mlp (plugin " + model.source().plugin() + " builds its own layers)");
		}
		if (s.hiddenLayers() != null && model.family() == ModelFamily.TORCHSCRIPT) {
			problems.add("search.hidden-layers",
					"only for family mlp (a TorchScript model's layers are in its module file)");
		}
		if (s.hiddenLayers() != null && layers.stream().anyMatch(l -> l != null && l.isEmpty())) {
			problems.add("search.hidden-layers",
					"each entry needs at least one layer (for a linear model, use family linear)");
		}
		SearchSpace.Strategy strategy = (s.strategy() == PipelineYaml.SearchStrategy.RANDOM)
				? SearchSpace.Strategy.RANDOM : SearchSpace.Strategy.GRID;
		SearchSpace space = new SearchSpace(windows, layers, rates, decays, epochs, s.fineTune(),
				training.finetuneLearningRate(), training.finetuneEpochs(), strategy,
				(s.seed() != null) ? s.seed() : hp.seed(), s.maxCandidates());
		long size = space.combinations() + (s.fineTune() ? 1 : 0);
		if (strategy == SearchSpace.Strategy.GRID && size > s.maxCandidates()) {
			problems.add("search.max-candidates", "the grid has " + size + " candidates, more than max-candidates ("
					+ s.maxCandidates() + "): raise max-candidates or use strategy: random");
		}
		if (s.fineTune() && s.maxCandidates() < 2) {
			problems.add("search.max-candidates", "fine-tune is one more candidate: max-candidates must be >= 2");
		}
		return new PipelineDefinition.Search(space, (s.selectionDays() != null) ? s.selectionDays() : 1,
				s.maxTrainingSeconds(), s.threads());
	}

	/** {@code given}, or {@code fallback} when absent; an empty list is a problem. */
	private static <T> List<T> listed(String field, List<T> given, List<T> fallback, PipelineRules.Problems problems) {
		if (given == null) {
			return fallback;
		}
		if (given.isEmpty()) {
			problems.add(field, "must list at least one value (an empty search space)");
			return fallback;
		}
		return given;
	}

}

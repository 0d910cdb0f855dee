package dev.retrain.jobs.pipeline;

import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * The YAML shape of a pipeline file, as written (kebab-case keys, enums as lower-case words). It is
 * turned into a {@link PipelineDefinition} by {@link PipelineLoader}, which checks every value.
 */
record PipelineYaml(String name, String description, Data data, List<Feature> features, Label label,
		List<Holdout> holdouts, Model model, String mode, Finetune finetune, Validation validation, Promotion promotion,
		Schedule schedule, Drift drift, Retention retention) {

	record Data(String path, Integer windowDays) {
	}

	record Feature(String name, String type, Double min, Double max) {
	}

	record Label(String column, String task, List<String> classes) {
	}

	record Holdout(String name, String type, Integer days, Double fraction, Long seed, String path) {
	}

	record Model(String family, List<Integer> hiddenLayers, Integer epochs, Integer batchSize, Double learningRate,
			Double weightDecay, EarlyStopping earlyStopping, Long seed, JsonNode classWeights, String solver) {
	}

	record EarlyStopping(Integer patience, Double validationFraction) {
	}

	record Finetune(Integer epochs, Double learningRate) {
	}

	record Validation(Integer minRows, Integer minRowsPerClass, Double maxMissingRate, Double maxUnseenCategoryRate,
			Integer minHoldoutRows) {
	}

	record Retention(Integer keepLast, Integer maxAgeDays) {
	}

	record Promotion(String metric, Double minValue, Double minImprovement, String improvement, List<Guard> guards,
			Slices slices, String firstRun, String approval, Double tolerance) {
	}

	record Schedule(String cron, String timeZone) {
	}

	record Drift(Schedule schedule, Integer currentDays, Integer minRows, Double alpha, Double minDriftedShare,
			Double numericEffectFloor, Double categoricalEffectFloor, Double performanceFloor, List<String> triggerOn,
			String combine, Double cooldownHours, String onNewPartition) {
	}

	record Guard(String metric, Double maxRegression) {
	}

	record Slices(String column, Double maxRegression, Integer minRows) {
	}


}

package dev.retrain.jobs.pipeline;

import java.util.List;

import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.promotion.PromotionPolicy;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.Task;

/**
 * One model's retraining pipeline, loaded from {@code configs/<name>.yaml} and checked: where its data
 * is, what it learns from, how it is trained, checked and promoted. {@code source} is the file it came
 * from and {@code configHash} the SHA-256 of that file's bytes.
 */
public record PipelineDefinition(String name, String description, String dataPath, int windowDays,
		List<FeatureSpec> features, String labelColumn, Task task, List<String> classes, List<HoldoutSpec> holdouts,
		ModelFamily family, List<Integer> hiddenLayers, Hyperparameters hyperparameters, Mode mode, int finetuneEpochs,
		double finetuneLearningRate, ValidationRules validation, PromotionPolicy promotion, boolean approvalRequired,
		Schedule schedule, DriftPolicy drift, Retention retention, String source, String configHash) {

	/**
	 * Which versions retention keeps besides the protected ones (champion, previous, pending, aliased):
	 * the newest {@code keepLast}, and any younger than {@code maxAgeDays}. Null fields do not limit.
	 */
	public record Retention(Integer keepLast, Integer maxAgeDays) {
	}

	/** A Quartz cron expression (seconds first) in a time zone. */
	public record Schedule(String cron, String timeZone) {
	}

	public enum Mode {

		/** Train from scratch on the window. */
		RETRAIN,
		/** Warm-start from the champion's weights and encoders, with fewer epochs and a lower learning rate. */
		FINETUNE

	}

	/** Which holdout a metric comes from: the first is primary. */
	public HoldoutSpec primaryHoldout() {
		return this.holdouts.get(0);
	}

	public List<String> featureNames() {
		return this.features.stream().map(FeatureSpec::name).toList();
	}

}

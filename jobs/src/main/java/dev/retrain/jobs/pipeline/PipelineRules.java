package dev.retrain.jobs.pipeline;

import java.util.ArrayList;
import java.util.List;

import dev.retrain.models.features.DerivedFeature;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.FeatureSpec.FeatureType;
import dev.retrain.models.features.Task;
import dev.retrain.models.files.PathSegment;
import dev.retrain.models.promotion.PromotionPolicy;
import dev.retrain.models.training.ModelFamily;

/**
 * The rules of a pipeline file that span fields (a label that is also a feature, a solver
 * that does not fit the family, a slice column that is not a categorical feature, ...)
 * and the few a constraint cannot say (the name's pattern, a cron, a time zone), applied
 * to a bound and validated {@link PipelineYaml}; then the {@link PipelineDefinition} it
 * describes, with the defaults that depend on other fields. Each section has its rules
 * and its part of the definition in one small class: {@link DataRules} (features, label,
 * holdouts), {@link ModelRules}, {@link PromotionRules}, {@link TriggerRules} (schedule,
 * drift), {@link SearchRules}, {@link ScoringRules} (scoring, labels),
 * {@link DerivedRules}.
 */
final class PipelineRules {

	/** Where a section's rules report a problem of a field. */
	interface Problems {

		void add(String field, String reason);

	}

	private final ConfigBinder.Bound<?> bound;

	private final List<ConfigProblem> problems = new ArrayList<>();

	PipelineRules(List<ConfigProblem> earlier) {
		this.bound = new ConfigBinder.Bound<>(null, earlier);
	}

	List<ConfigProblem> problems() {
		return this.problems;
	}

	PipelineDefinition definition(PipelineYaml y, String source, String hash) {
		Problems problems = this::problem;
		if (y.name() != null && !PathSegment.isName(y.name())) {
			problem("name", "'" + y.name() + "' must match " + PathSegment.NAME.pattern());
		}
		List<FeatureSpec> features = DataRules.features(y.features(), problems);
		PipelineDefinition.Label label = DataRules.label(y.label(), features, problems);
		Task task = (label != null) ? label.task() : null;
		List<HoldoutSpec> holdouts = DataRules.holdouts(y.holdouts(), problems);
		PipelineDefinition.Model model = ModelRules.model(y.model(), task, problems);
		if (model.family() == ModelFamily.TORCHSCRIPT) {
			for (int i = 0; y.features() != null && i < y.features().size(); i++) {
				PipelineYaml.Feature f = y.features().get(i);
				if (f != null && f.type() == FeatureType.CATEGORICAL && f.categories() == null) {
					problem("features[" + i + "].categories",
							"a TorchScript model takes a fixed number of input " + "columns: list the categories of '"
									+ f.name() + "' (encoded one column each, plus one " + "for any other value)");
				}
			}
		}
		PipelineDefinition.Training training = ModelRules.training(y.mode(), y.finetune(), model);
		PipelineYaml.Validation v = y.validation();
		ValidationRules rules = new ValidationRules(v.minRows(), v.minRowsPerClass(), v.maxMissingRate(),
				v.maxUnseenCategoryRate(), v.minHoldoutRows(), v.referenceRangeFactor());
		PromotionPolicy promotion = PromotionRules.promotion(y.promotion(), task, features, problems);
		boolean approval = y.promotion() != null && y.promotion().approval() == PipelineYaml.Approval.REQUIRED;
		PipelineDefinition.Schedule schedule = TriggerRules.schedule("schedule", y.schedule(), problems);
		DriftPolicy drift = TriggerRules.drift(y.drift(), problems);
		PipelineDefinition.Data data = (y.data() != null)
				? new PipelineDefinition.Data(y.data().path(), y.data().windowDays()) : null;
		PipelineDefinition.Search search = SearchRules.search(y.search(), model, training, data, holdouts, problems);
		List<DerivedFeature> derived = DerivedRules.derived(y, features, problems);
		return new PipelineDefinition(y.name(), y.description(), data, features, label, holdouts, model, training,
				rules, promotion, approval, schedule, drift,
				new PipelineDefinition.Retention(y.retention().keepLast(), y.retention().maxAgeDays()),
				new PipelineDefinition.Origin(source, hash), new PipelineDefinition.Resources(y.resources().queue()),
				search, ScoringRules.scoring(y, problems), ScoringRules.labels(y, problems),
				PromotionRules.committee(y.promotion(), problems), derived, ScoringRules.shadowPromotion(y, problems));
	}

	/**
	 * A problem, unless the binder already reported the field (or one above or below).
	 */
	private void problem(String field, String reason) {
		if (!this.bound.reported(field)) {
			this.problems.add(new ConfigProblem(field, reason));
		}
	}

}

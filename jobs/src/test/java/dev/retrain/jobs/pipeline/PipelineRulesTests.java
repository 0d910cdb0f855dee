package dev.retrain.jobs.pipeline;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.pipeline.DriftPolicy.OnNewPartition;
import dev.retrain.jobs.pipeline.DriftPolicy.Signal;
import dev.retrain.models.committee.CommitteeSpec;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.promotion.FirstRun;
import dev.retrain.models.promotion.PairedTest;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.Solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * One case per rule of a pipeline file: the edit that breaks it, the field named, and
 * why.
 */
class PipelineRulesTests {

	private static final String VALID = PipelineFixtures.yaml("churn", "data/churn", PipelineFixtures.GOOD_MODEL, "");

	private final PipelineLoader loader = new PipelineLoader();

	private static UnaryOperator<String> replace(String from, String to) {
		return y -> {
			assertThat(y).as("the fixture has '%s'", from).contains(from);
			return y.replace(from, to);
		};
	}

	private static UnaryOperator<String> append(String more) {
		return y -> y + more + "\n";
	}

	@SafeVarargs
	private static UnaryOperator<String> all(UnaryOperator<String>... edits) {
		return y -> {
			String edited = y;
			for (UnaryOperator<String> e : edits) {
				edited = e.apply(edited);
			}
			return edited;
		};
	}

	private static UnaryOperator<String> promotionTest(String test) {
		return y -> y.replace("  guards:\n", "  test: " + test + "\n  guards:\n");
	}

	private static UnaryOperator<String> committee(String committee) {
		return y -> y.replace("  guards:\n", "  committee: " + committee + "\n  guards:\n");
	}

	private static UnaryOperator<String> model(String from, String to) {
		return replace("  " + from, "  " + to);
	}

	static Stream<Arguments> rules() {
		return Stream.of(
				arguments("name pattern", replace("name: churn", "name: Bad Name"), "name", "'Bad Name' must match"),
				arguments("name required", replace("name: churn\n", ""), "name", "is required"),
				arguments("data required", replace("data:\n  path: data/churn\n  window-days: 20\n", ""), "data",
						"is required"),
				arguments("data path required", replace("  path: data/churn\n", ""), "data.path", "is required"),
				arguments("window days", replace("window-days: 20", "window-days: -3"), "data.window-days",
						"must be >= 1, was -3"),
				arguments("features required", replace("features:\n", "unused:\n"), "unused", "unknown field 'unused'"),
				arguments("a feature twice", replace("- name: sessions", "- name: tenure_days"), "features[2].name",
						"'tenure_days' is listed twice"),
				arguments("a feature's type", replace("  - name: plan\n    type: categorical\n", "  - name: plan\n"),
						"features[4].type", "is required (numeric or categorical)"),
				arguments("a feature's type is a word",
						replace("  - name: plan\n    type: categorical", "  - name: plan\n    type: categorial"),
						"features[4].type", "'categorial' is not one of [categorical, numeric]"),
				arguments("min/max on a category",
						replace("  - name: region\n    type: categorical",
								"  - name: region\n    type: categorical\n    max: 3"),
						"features[5]", "min/max only apply to numeric"),
				arguments("min above max", replace("    min: 0\n", "    min: 5\n    max: 1\n"), "features[0].min",
						"must not exceed max (5.0 > 1.0)"),
				arguments("label required",
						replace("label:\n  column: churned\n  task: binary\n  classes: [\"0\", \"1\"]\n", ""), "label",
						"is required"),
				arguments("label column", replace("  column: churned\n", ""), "label.column", "is required"),
				arguments("label task", replace("  task: binary\n", ""), "label.task",
						"is required (binary, multiclass or regression)"),
				arguments("label task is a word", replace("task: binary", "task: binari"), "label.task",
						"'binari' is not one of [binary, multiclass, regression]"),
				arguments("classes of a regression", replace("task: binary", "task: regression"), "label.classes",
						"only applies to classification"),
				arguments("two classes for binary", replace("classes: [\"0\", \"1\"]", "classes: [a, b, c]"),
						"label.classes", "a binary label needs exactly 2 classes"),
				arguments("label is a feature", replace("column: churned", "column: plan"), "label.column",
						"'plan' is also listed as a feature"),
				arguments("holdout names",
						replace("    days: 4\n", "    days: 4\n  - name: recent\n    type: random\n"),
						"holdouts[1].name", "'recent' is used twice"),
				arguments("holdout type", replace("type: out-of-time", "type: lately"), "holdouts[0].type",
						"'lately' is not one of [golden, out-of-time, random]"),
				arguments("holdout days", replace("    days: 4", "    days: 0"), "holdouts[0].days",
						"must be >= 1, was 0"),
				arguments("holdout fraction",
						replace("    days: 4\n", "    days: 4\n  - type: random\n    fraction: 0.95\n"),
						"holdouts[1].fraction", "must be in (0, 0.9), was 0.95"),
				arguments("golden path", replace("    days: 4\n", "    days: 4\n  - type: golden\n"),
						"holdouts[1].path", "is required"),
				arguments("model family", model("family: mlp", "family: forest"), "model.family",
						"'forest' is not one of [linear, logistic, mlp, torchscript] nor an installed plugin"),
				arguments("hidden layer too small", model("hidden-layers: [16]", "hidden-layers: [16, 0]"),
						"model.hidden-layers[1]", "must be between 1 and 4096, was 0"),
				arguments("hidden layer too large", model("hidden-layers: [16]", "hidden-layers: [5000]"),
						"model.hidden-layers[0]", "must be between 1 and 4096, was 5000"),
				arguments("linear has no hidden layers", model("family: mlp", "family: linear"), "model.hidden-layers",
						"a linear model has no hidden layers"),
				arguments("epochs", model("epochs: 6", "epochs: 0"), "model.epochs", "must be >= 1, was 0"),
				arguments("batch size", model("batch-size: 128", "batch-size: 0"), "model.batch-size", "must be >= 1"),
				arguments("learning rate", model("learning-rate: 0.01", "learning-rate: -1"), "model.learning-rate",
						"must be a number > 0, was -1.0"),
				arguments("learning rate is finite", model("learning-rate: 0.01", "learning-rate: 1e999"),
						"model.learning-rate", "must be a finite number, was Infinity"),
				arguments("weight decay", model("learning-rate: 0.01", "learning-rate: 0.01\n  weight-decay: -0.1"),
						"model.weight-decay", "must be a number >= 0"),
				arguments("weight decay is a number",
						model("learning-rate: 0.01", "learning-rate: 0.01\n  weight-decay: NaN"), "model.weight-decay",
						"must be a finite number, was NaN"),
				arguments("patience", model("  patience: 0", "  patience: -1"), "model.early-stopping.patience",
						"must be >= 0 (0 turns early stopping off), was -1"),
				arguments("validation fraction", model("  patience: 0", "  patience: 0\n    validation-fraction: 0.9"),
						"model.early-stopping.validation-fraction", "must be in [0, 0.9), was 0.9"),
				arguments("class weights' form", model("seed: 7", "seed: 7\n  class-weights: heavy"),
						"model.class-weights", "must be 'balanced' or a map of class to weight"),
				arguments("class weight", model("seed: 7", "seed: 7\n  class-weights: {\"0\": 1, \"1\": -2}"),
						"model.class-weights.1", "must be a positive number"),
				arguments("class weights of a regression",
						all(replace("task: binary\n  classes: [\"0\", \"1\"]", "task: regression"),
								replace("metric: roc_auc", "metric: rmse"), replace("metric: log_loss", "metric: mae"),
								model("seed: 7", "seed: 7\n  class-weights: balanced")),
						"model.class-weights", "only applies to classification"),
				arguments("newton fits linear models", model("seed: 7", "seed: 7\n  solver: newton"), "model.solver",
						"newton fits linear models only"),
				arguments("newton fits no multiclass",
						all(replace("task: binary\n  classes: [\"0\", \"1\"]", "task: multiclass"),
								model("family: mlp\n  hidden-layers: [16]", "family: linear"),
								model("seed: 7", "seed: 7\n  solver: newton")),
						"model.solver", "newton fits binary classification or regression"),
				arguments("solver", model("seed: 7", "seed: 7\n  solver: lbfgs"), "model.solver",
						"'lbfgs' is not one of [adam, newton]"),
				arguments("mode", append("mode: rerun"), "mode", "'rerun' is not one of [finetune, retrain]"),
				arguments("fine-tune epochs", append("finetune: {epochs: 0}"), "finetune.epochs", "must be >= 1"),
				arguments("fine-tune learning rate", append("finetune: {learning-rate: 0}"), "finetune.learning-rate",
						"must be a number > 0"),
				arguments("min rows", replace("min-rows: 200", "min-rows: -1"), "validation.min-rows", "must be >= 0"),
				arguments("missing rate", replace("min-rows: 200", "min-rows: 200\n  max-missing-rate: 1.5"),
						"validation.max-missing-rate", "must be between 0 and 1, was 1.5"),
				arguments("metric fits the task", replace("metric: roc_auc", "metric: rmse"), "promotion.metric",
						"'rmse' does not apply to a binary_classification task"),
				arguments("metric is a word", replace("metric: roc_auc", "metric: auc"), "promotion.metric",
						"'auc' is not one of [accuracy, f1, log_loss, mae, rmse, roc_auc]"),
				arguments("guard metric",
						replace("    - metric: log_loss\n      max-regression: 0.5", "    - max-regression: 0.5"),
						"promotion.guards[0].metric", "is required"),
				arguments("guard bound", replace("max-regression: 0.5", "max-regression: -0.5"),
						"promotion.guards[0].max-regression", "must be a number >= 0"),
				arguments("slice column",
						replace("  min-improvement: 0.0", "  min-improvement: 0.0\n  slices: {column: sessions}"),
						"promotion.slices.column", "'sessions' must be one of the categorical features"),
				arguments("slice rows",
						replace("  min-improvement: 0.0",
								"  min-improvement: 0.0\n  slices: {column: plan, min-rows: 0}"),
						"promotion.slices.min-rows", "must be >= 1"),
				arguments("tolerance or improvement",
						replace("  min-improvement: 0.0", "  min-improvement: 0.01\n  tolerance: 0.02"),
						"promotion.tolerance", "exclude each other"),
				arguments("test method", promotionTest("{method: permutation}"), "promotion.test.method",
						"'permutation' is not one of"),
				arguments("test method required", promotionTest("{confidence: 0.9}"), "promotion.test.method",
						"is required (paired-bootstrap or mcnemar)"),
				arguments("test confidence low", promotionTest("{method: paired-bootstrap, confidence: 0.5}"),
						"promotion.test.confidence", "must be in (0.5, 1)"),
				arguments("test confidence high", promotionTest("{method: paired-bootstrap, confidence: 1}"),
						"promotion.test.confidence", "must be in (0.5, 1)"),
				arguments("test resamples", promotionTest("{method: paired-bootstrap, resamples: 99}"),
						"promotion.test.resamples", "must be >= 100"),
				arguments("mcnemar metric", promotionTest("{method: mcnemar}"), "promotion.test.method",
						"mcnemar tests accuracy, but promotion.metric is 'roc_auc'"),
				arguments("mcnemar resamples",
						all(replace("  metric: roc_auc", "  metric: accuracy"),
								promotionTest("{method: mcnemar, resamples: 500}")),
						"promotion.test.resamples", "applies to paired-bootstrap only"),
				arguments("mcnemar regression",
						all(replace("  task: binary\n  classes: [\"0\", \"1\"]", "  task: regression"),
								replace("  metric: roc_auc", "  metric: rmse"),
								replace("- metric: log_loss", "- metric: mae"), promotionTest("{method: mcnemar}")),
						"promotion.test.method", "only for binary or multiclass"),
				arguments("test margin", promotionTest("{method: paired-bootstrap, margin: 1.5}"),
						"promotion.test.margin", "must be in (-1, 1) for roc_auc"),
				arguments("committee size", committee("{size: 1, weighting: hedge}"), "promotion.committee.size",
						"must be >= 2"),
				arguments("committee size required", committee("{weighting: hedge}"), "promotion.committee.size",
						"is required"),
				arguments("committee weighting", committee("{size: 3, weighting: average}"),
						"promotion.committee.weighting", "'average' is not one of [best-recent, hedge]"),
				arguments("committee weighting required", committee("{size: 3}"), "promotion.committee.weighting",
						"is required (hedge or best-recent)"),
				arguments("committee eta", committee("{size: 3, weighting: hedge, eta: 0}"), "promotion.committee.eta",
						"must be a number > 0"),
				arguments("committee eta best-recent", committee("{size: 3, weighting: best-recent, eta: 2}"),
						"promotion.committee.eta", "applies to weighting: hedge only"),
				arguments("committee share 1", committee("{size: 3, weighting: hedge, share: 1}"),
						"promotion.committee.share", "must be in [0, 1)"),
				arguments("committee share negative", committee("{size: 3, weighting: hedge, share: -0.05}"),
						"promotion.committee.share", "must be in [0, 1)"),
				arguments("committee share NaN", committee("{size: 3, weighting: hedge, share: NaN}"),
						"promotion.committee.share", "must be in [0, 1)"),
				arguments("committee share best-recent", committee("{size: 3, weighting: best-recent, share: 0.05}"),
						"promotion.committee.share", "applies to weighting: hedge only"),
				arguments("shadow not a name", append("scoring: {shadow: [challenger, 'Bad Alias!']}"),
						"scoring.shadow[1]", "'Bad Alias!' is neither a version number nor an alias name"),
				arguments("shadow version 0", append("scoring: {shadow: [v0]}"), "scoring.shadow[0]",
						"versions are numbered from 1"),
				arguments("shadow twice", append("scoring: {shadow: [3, v3]}"), "scoring.shadow[1]",
						"'v3' is listed twice"),
				arguments("shadow champion", append("scoring: {shadow: [champion]}"), "scoring.shadow[0]",
						"the champion is always scored"),
				arguments("shadow promotion periods", committee("{size: 2, weighting: hedge}\n  shadow: {periods: 0}"),
						"promotion.shadow.periods", "must be >= 1"),
				arguments("shadow promotion periods required", committee("{size: 2, weighting: hedge}\n  shadow: {}"),
						"promotion.shadow.periods", "is required"),
				arguments("shadow promotion without shadows",
						committee("{size: 2, weighting: hedge}\n  shadow: {periods: 2}"), "promotion.shadow",
						"needs scoring.shadow"),
				arguments("shadow promotion without labels",
						all(committee("{size: 2, weighting: hedge}\n  shadow: {periods: 2}"),
								append("scoring: {key: customer_id, shadow: [challenger]}")),
						"promotion.shadow", "needs a labels section"),
				arguments("test and tolerance", promotionTest("{method: paired-bootstrap}\n  tolerance: 0.01"),
						"promotion.test", "excludes promotion.tolerance"),
				arguments("test and min-improvement",
						all(replace("  min-improvement: 0.0", "  min-improvement: 0.01"),
								promotionTest("{method: paired-bootstrap}")),
						"promotion.test", "excludes promotion.min-improvement"),
				arguments("improvement",
						replace("  min-improvement: 0.0", "  min-improvement: 0.0\n  improvement: percent"),
						"promotion.improvement", "'percent' is not one of [absolute, relative]"),
				arguments("first run", replace("  min-improvement: 0.0", "  min-improvement: 0.0\n  first-run: always"),
						"promotion.first-run", "'always' is not one of [hold, promote, promote-if-min-value]"),
				arguments("approval", replace("  min-improvement: 0.0", "  min-improvement: 0.0\n  approval: maybe"),
						"promotion.approval", "'maybe' is not one of [none, required]"),
				arguments("cron", append("schedule: {cron: '0 0 2 * *'}"), "schedule.cron",
						"is not a Quartz cron expression"),
				arguments("cron required", append("schedule: {time-zone: UTC}"), "schedule.cron", "is required"),
				arguments("time zone", append("schedule: {cron: '0 0 2 * * ?', time-zone: Mars/Olympus}"),
						"schedule.time-zone", "'Mars/Olympus' is not a time zone id"),
				arguments("drift cron", append("drift: {schedule: {cron: nightly}}"), "drift.schedule.cron",
						"is not a Quartz cron expression"),
				arguments("drift days", append("drift: {current-days: 0}"), "drift.current-days", "must be >= 1"),
				arguments("drift rows", append("drift: {min-rows: 0}"), "drift.min-rows", "must be >= 1"),
				arguments("alpha", append("drift: {alpha: 0.7}"), "drift.alpha", "must be in (0, 0.5), was 0.7"),
				arguments("drifted share", append("drift: {min-drifted-share: 0}"), "drift.min-drifted-share",
						"must be in (0, 1]"),
				arguments("numeric floor", append("drift: {numeric-effect-floor: -1}"), "drift.numeric-effect-floor",
						"must be a number >= 0"),
				arguments("categorical floor", append("drift: {categorical-effect-floor: -1}"),
						"drift.categorical-effect-floor", "must be a number >= 0"),
				arguments("performance floor", append("drift: {performance-floor: -1}"), "drift.performance-floor",
						"must be a number >= 0"),
				arguments("signals", append("drift: {trigger-on: [input, inputs]}"), "drift.trigger-on[1]",
						"'inputs' is not one of [cost, estimate, input, performance, prediction]"),
				arguments("combine", append("drift: {combine: most}"), "drift.combine",
						"'most' is not one of [all, any]"),
				arguments("cooldown", append("drift: {cooldown-hours: -1}"), "drift.cooldown-hours",
						"must be a number >= 0"),
				arguments("new partitions", append("drift: {on-new-partition: train}"), "drift.on-new-partition",
						"'train' is not one of [check, none, retrain]"),
				arguments("keep last", append("retention: {keep-last: 0}"), "retention.keep-last", "must be >= 1"),
				arguments("max age", append("retention: {max-age-days: 0}"), "retention.max-age-days", "must be >= 1"),
				arguments("unknown field", model("epochs: 6", "epochz: 6"), "model.epochz", "unknown field 'epochz'"),
				arguments("type", model("epochs: 6", "epochs: many"), "model.epochs",
						"bad value: expected a whole number, got the text 'many'"),
				arguments("type in the file's words", model("epochs: 6", "epochs: [1, 2]"), "model.epochs",
						"bad value: expected a whole number, got a list"),
				arguments("a section, not a value", model("epochs: 6", "epochs: {a: 1}"), "model.epochs",
						"bad value: expected a whole number, got a section (a map of fields)"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("rules")
	void eachRuleNamesItsField(String rule, UnaryOperator<String> edit, String field, String reason) {
		String yaml = edit.apply(VALID);
		assertThatThrownBy(() -> this.loader.parse(yaml, "configs/churn.yaml")).isInstanceOfSatisfying(
				PipelineConfigInvalid.class, ex -> assertThat(ex.problems()).as(ex.getMessage()).anySatisfy(p -> {
					assertThat(p.field()).isEqualTo(field);
					assertThat(p.reason()).contains(reason);
				}));
	}

	@Test
	void aPromotionTestIsReadWithItsDefaults() {
		String yaml = VALID.replace("  guards:\n", "  test: {method: paired-bootstrap, margin: -0.005}\n  guards:\n");

		PairedTest test = this.loader.parse(yaml, "configs/churn.yaml").promotion().test();

		assertThat(test).isEqualTo(new PairedTest(PairedTest.Method.PAIRED_BOOTSTRAP, 0.95, -0.005,
				PairedTest.DEFAULT_RESAMPLES, PairedTest.DEFAULT_SEED));
		assertThat(this.loader.parse(VALID, "configs/churn.yaml").promotion().test()).isNull();
	}

	@Test
	void aCommitteeIsReadWithHedgesDefaultRate() {
		PipelineDefinition hedge = this.loader.parse(
				VALID.replace("  guards:\n", "  committee: {size: 5, weighting: hedge}\n  guards:\n"),
				"configs/churn.yaml");
		assertThat(hedge.committee())
			.isEqualTo(new CommitteeSpec(5, CommitteeSpec.Weighting.HEDGE, CommitteeSpec.DEFAULT_ETA));
		PipelineDefinition best = this.loader.parse(
				VALID.replace("  guards:\n", "  committee: {size: 3, weighting: best-recent}\n  guards:\n"),
				"configs/churn.yaml");
		assertThat(best.committee().weighting()).isEqualTo(CommitteeSpec.Weighting.BEST_RECENT);
		assertThat(best.committee().share()).isZero();
		assertThat(this.loader.parse(VALID, "configs/churn.yaml").committee()).isNull();
	}

	@Test
	void aCommitteesFixedShareIsReadAndWithoutOneItIsPlainHedge() {
		PipelineDefinition shared = this.loader.parse(
				VALID.replace("  guards:\n",
						"  committee: {size: 5, weighting: hedge, eta: 5, share: 0.05}\n  guards:\n"),
				"configs/churn.yaml");
		assertThat(shared.committee()).isEqualTo(new CommitteeSpec(5, CommitteeSpec.Weighting.HEDGE, 5.0, 0.05));
		assertThat(shared.committee().describe())
			.isEqualTo("committee of the last 5 versions, hedge (eta 5, share 0.05)");
		PipelineDefinition plain = this.loader.parse(
				VALID.replace("  guards:\n", "  committee: {size: 5, weighting: hedge, share: 0}\n  guards:\n"),
				"configs/churn.yaml");
		assertThat(plain.committee()).isEqualTo(new CommitteeSpec(5, CommitteeSpec.Weighting.HEDGE, 5.0));
	}

	@Test
	void shadowsAreReadAsAliasesAndVersionNumbers() {
		PipelineDefinition def = this.loader.parse(
				VALID.replace("  guards:\n", "  shadow: {periods: 3}\n  guards:\n")
						+ "scoring: {key: customer_id, shadow: [challenger, 4, v7]}\nlabels: {path: labels/churn}\n",
				"configs/churn.yaml");
		assertThat(def.scoring().shadow()).containsExactly("challenger", "4", "7");
		assertThat(def.shadowPromotion().periods()).isEqualTo(3);
		PipelineDefinition plain = this.loader.parse(VALID, "configs/churn.yaml");
		assertThat(plain.scoring().shadow()).isEmpty();
		assertThat(plain.shadowPromotion()).isNull();
	}

	@Test
	void theFixtureItselfIsValid() {
		assertThat(this.loader.parse(VALID, "configs/churn.yaml").name()).isEqualTo("churn");
	}

	@Test
	void aTypeErrorAnUnknownKeyAndABadWordAreReportedTogetherEachOnce() {
		String yaml = VALID.replace("  epochs: 6", "  epochs: many")
			.replace("  batch-size: 128", "  batchsize: 128")
			.replace("task: binary", "task: binari")
			.replace("window-days: 20", "window-days: 0");
		assertThatThrownBy(() -> this.loader.parse(yaml, "configs/churn.yaml")).isInstanceOfSatisfying(
				PipelineConfigInvalid.class, ex -> assertThat(ex.problems()).extracting(ConfigProblem::field)
					.containsExactlyInAnyOrder("model.epochs", "model.batchsize", "label.task", "data.window-days"));
	}

	@Test
	void everyDefaultIsAppliedWhereTheFileSaysNothing() {
		PipelineDefinition def = this.loader.parse("""
				name: minimal
				data: {path: data/minimal}
				features: [{name: x, type: numeric}]
				label: {column: y, task: binary}
				""", "configs/minimal.yaml");
		assertThat(def.windowDays()).isEqualTo(30);
		assertThat(def.family()).isEqualTo(ModelFamily.MLP);
		assertThat(def.hiddenLayers()).containsExactly(32, 16);
		var hp = def.hyperparameters();
		assertThat(List.of(hp.epochs(), hp.batchSize(), hp.patience())).containsExactly(20, 256, 3);
		assertThat(hp.learningRate()).isEqualTo(0.005);
		assertThat(hp.validationFraction()).isEqualTo(0.1);
		assertThat(hp.seed()).isEqualTo(42L);
		assertThat(hp.solver()).isEqualTo(Solver.ADAM);
		assertThat(def.finetuneEpochs()).isEqualTo(5);
		assertThat(def.finetuneLearningRate()).isEqualTo(0.001);
		assertThat(def.mode()).isEqualTo(PipelineDefinition.Mode.RETRAIN);
		assertThat(def.holdouts())
			.containsExactly(new HoldoutSpec("recent", HoldoutSpec.Type.OUT_OF_TIME, 7, 0, 0, null));
		assertThat(def.validation()).isEqualTo(new ValidationRules(100, 10, 0.2, 0.2, 20, 1000.0));
		assertThat(def.promotion().metric()).isEqualTo(Metric.ROC_AUC);
		assertThat(def.promotion().firstRun()).isEqualTo(FirstRun.PROMOTE_IF_MIN_VALUE);
		assertThat(def.approvalRequired()).isFalse();
		assertThat(def.schedule()).isNull();
		assertThat(def.drift()).isEqualTo(new DriftPolicy(null, 1, 100, 0.01, 0.3, 0.1, 0.05, 0.02,
				List.of(Signal.INPUT, Signal.PREDICTION, Signal.PERFORMANCE), false, 24.0, OnNewPartition.NONE, null,
				null));
		assertThat(def.retention()).isEqualTo(new PipelineDefinition.Retention(null, null));
	}

	@Test
	void wordsAreReadInAnyCaseAndLogisticIsALinearModel() {
		PipelineDefinition def = this.loader
			.parse(VALID.replace("family: mlp\n  hidden-layers: [16]", "family: Logistic")
				.replace("task: binary", "task: BINARY"), "configs/churn.yaml");
		assertThat(def.family()).isEqualTo(ModelFamily.LINEAR);
		assertThat(def.hiddenLayers()).isEmpty();
	}

	@Test
	void aRegressionDefaultsToRmse() {
		PipelineDefinition def = this.loader.parse("""
				name: price
				data: {path: data/price}
				features: [{name: x, type: numeric}]
				label: {column: y, task: regression}
				promotion: {min-improvement: 0.1}
				""", "configs/price.yaml");
		assertThat(def.promotion().metric()).isEqualTo(Metric.RMSE);
	}

	@Test
	void aFileThatIsNotAMapOfFieldsIsRefusedWithWhy() {
		assertThatThrownBy(() -> this.loader.parse("", "x.yaml")).hasMessage("x.yaml: the file is empty");
		assertThatThrownBy(() -> this.loader.parse("- a\n- b\n", "x.yaml"))
			.hasMessageContaining("must be a map of fields");
		assertThatThrownBy(() -> this.loader.parse("name: [unclosed", "x.yaml")).hasMessageContaining("not valid YAML");
		assertThatThrownBy(() -> this.loader.parse(VALID + "name: again\n", "x.yaml"))
			.hasMessageContaining("not valid YAML")
			.hasMessageContaining("name");
	}

}

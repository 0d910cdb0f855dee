package dev.retrain.jobs.pipeline;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.pipeline.DriftPolicy.OnNewPartition;
import dev.retrain.models.committee.CommitteeSpec;
import dev.retrain.models.features.FeatureSpec.FeatureType;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.promotion.FirstRun;
import dev.retrain.models.promotion.PairedTest;
import dev.retrain.models.training.Solver;

/**
 * The YAML shape of a pipeline file, as written: kebab-case keys, enums as lower-case
 * words. Every default is set here, in the compact constructor of the record that holds
 * the field, so that nothing downstream sees a null where the file may leave a value out
 * (a section left out is {@link #defaults(Class) its record with every field left out}).
 * Single-field rules are Bean Validation constraints on the fields, their messages in
 * {@code ValidationMessages.properties} where several share one; {@link PipelineLoader}
 * binds a file, validates it, applies the few rules that span fields, and reports every
 * problem of the file at once.
 */
record PipelineYaml(@NotBlank(message = "{retrain.required}") String name, String description,
		@NotNull(message = "{retrain.required}") @Valid Data data,
		@NotEmpty(message = "at least one feature is required") List<@NotNull(
				message = "{retrain.required}") @Valid Feature> features,
		@NotNull(message = "{retrain.required}") @Valid Label label,
		List<@NotNull(message = "{retrain.required}") @Valid Holdout> holdouts, @Valid Model model,
		PipelineDefinition.Mode mode, @Valid Finetune finetune, @Valid Validation validation,
		@Valid Promotion promotion, @Valid Schedule schedule, @Valid Drift drift, @Valid Retention retention,
		@Valid Resources resources, @Valid Search search, @Valid Scoring scoring, @Valid Labels labels,
		List<@NotNull(message = "{retrain.required}") @Valid Derived> derived) {

	static final int DEFAULT_WINDOW_DAYS = 30;

	PipelineYaml {
		model = (model != null) ? model : defaults(Model.class);
		mode = (mode != null) ? mode : PipelineDefinition.Mode.RETRAIN;
		finetune = (finetune != null) ? finetune : defaults(Finetune.class);
		validation = (validation != null) ? validation : defaults(Validation.class);
		drift = (drift != null) ? drift : defaults(Drift.class);
		retention = (retention != null) ? retention : defaults(Retention.class);
		resources = (resources != null) ? resources : defaults(Resources.class);
	}

	/** A section the file leaves out: its record with every field at its default. */
	static <R extends Record> R defaults(Class<R> section) {
		Class<?>[] types = Arrays.stream(section.getRecordComponents())
			.map(RecordComponent::getType)
			.toArray(Class<?>[]::new);
		try {
			return section.getDeclaredConstructor(types).newInstance(new Object[types.length]);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	record Data(@NotBlank(message = "{retrain.required}") String path,
			@Min(value = 1, message = "{retrain.min}") Integer windowDays) {

		Data {
			windowDays = (windowDays != null) ? windowDays : DEFAULT_WINDOW_DAYS;
		}

	}

	record Feature(@NotBlank(message = "{retrain.required}") String name,
			@NotNull(message = "is required (numeric or categorical)") FeatureType type, Double min, Double max,
			List<@NotBlank(message = "{retrain.required}") String> categories) {
	}

	/**
	 * The label; {@code delayPeriods}: a period's labels are known this many periods
	 * after it ends (0: at its end), which the derived features' lags must respect.
	 */
	record Label(@NotBlank(message = "{retrain.required}") String column,
			@NotNull(message = "is required (binary, multiclass or regression)") TaskName task, List<String> classes,
			@Min(value = 0, message = "{retrain.min}") Integer delayPeriods) {

		Label {
			delayPeriods = (delayPeriods != null) ? delayPeriods : 0;
		}

	}

	/**
	 * A derived feature ({@link DerivedRules}): {@code label-rate} (with {@code key},
	 * {@code lag-periods}, {@code periods}) or {@code context} (with {@code of},
	 * {@code stat}, {@code periods}).
	 */
	record Derived(@NotBlank(message = "{retrain.required}") String name,
			@NotNull(message = "is required (label-rate or context)") DerivedType type, String key, Integer lagPeriods,
			@Min(value = 1, message = "{retrain.min}") Integer periods, String of, DerivedStat stat) {

		Derived {
			periods = (periods != null) ? periods : 1;
		}

	}

	/** How a derived feature's type is written. */
	enum DerivedType {

		@JsonProperty("label-rate")
		LABEL_RATE, @JsonProperty("context")
		CONTEXT

	}

	/** A context feature's statistic: the value minus the earlier periods' mean. */
	enum DerivedStat {

		@JsonProperty("mean")
		MEAN

	}

	/** How a label's task is written. */
	enum TaskName {

		@JsonProperty("binary")
		BINARY(Task.BINARY_CLASSIFICATION), @JsonProperty("multiclass")
		MULTICLASS(Task.MULTICLASS_CLASSIFICATION), @JsonProperty("regression")
		REGRESSION(Task.REGRESSION);

		final Task task;

		TaskName(Task task) {
			this.task = task;
		}

	}

	/**
	 * A holdout; {@code name} defaults to {@code holdout<i>}, which only the list knows.
	 */
	record Holdout(String name, HoldoutType type, @Min(value = 1, message = "{retrain.min}") Integer days,
			@DecimalMin(value = "0", inclusive = false, message = "must be in (0, 0.9)") @DecimalMax(value = "0.9",
					inclusive = false, message = "must be in (0, 0.9)") Double fraction,
			Long seed, String path) {

		Holdout {
			type = (type != null) ? type : HoldoutType.OUT_OF_TIME;
			days = (days != null) ? days : 7;
			fraction = (fraction != null) ? fraction : 0.2;
			seed = (seed != null) ? seed : 7L;
		}

	}

	/** How a holdout's type is written. */
	enum HoldoutType {

		@JsonProperty("out-of-time")
		OUT_OF_TIME(HoldoutSpec.Type.OUT_OF_TIME), @JsonProperty("random")
		RANDOM(HoldoutSpec.Type.RANDOM), @JsonProperty("golden")
		GOLDEN(HoldoutSpec.Type.GOLDEN);

		final HoldoutSpec.Type type;

		HoldoutType(HoldoutSpec.Type type) {
			this.type = type;
		}

	}

	/**
	 * The network and how it is trained. {@code hiddenLayers} stays null when the file
	 * leaves it out, since a linear model must not name any; {@link #layers()} gives the
	 * default for an MLP. {@code family} is a built-in family ({@code linear} or
	 * {@code logistic}, {@code mlp}, {@code torchscript}) or the name of an installed
	 * plugin, whose {@code params} the plugin checks.
	 */
	record Model(String family,
			List<@NotNull(message = "{retrain.layer-width}") @Min(value = 1, message = "{retrain.layer-width}") @Max(
					value = 4096, message = "{retrain.layer-width}") Integer> hiddenLayers,
			@Min(value = 1, message = "{retrain.min}") Integer epochs,
			@Min(value = 1, message = "{retrain.min}") Integer batchSize,
			@DecimalMin(value = "0", inclusive = false, message = "{retrain.positive}") Double learningRate,
			@DecimalMin(value = "0", message = "{retrain.non-negative}") Double weightDecay,
			@Valid EarlyStopping earlyStopping, Long seed, JsonNode classWeights, Solver solver, String torchscript,
			Map<String, Object> params) {

		Model {
			family = (family != null) ? family : "mlp";
			epochs = (epochs != null) ? epochs : 20;
			batchSize = (batchSize != null) ? batchSize : 256;
			learningRate = (learningRate != null) ? learningRate : 0.005;
			weightDecay = (weightDecay != null) ? weightDecay : 0.0;
			earlyStopping = (earlyStopping != null) ? earlyStopping : defaults(EarlyStopping.class);
			seed = (seed != null) ? seed : 42L;
			solver = (solver != null) ? solver : Solver.ADAM;
		}

		List<Integer> layers() {
			return (this.hiddenLayers != null) ? this.hiddenLayers : List.of(32, 16);
		}

	}

	record EarlyStopping(@Min(value = 0, message = "must be >= 0 (0 turns early stopping off)") Integer patience,
			@DecimalMin(value = "0", message = "must be in [0, 0.9)") @DecimalMax(value = "0.9", inclusive = false,
					message = "must be in [0, 0.9)") Double validationFraction) {

		EarlyStopping {
			patience = (patience != null) ? patience : 3;
			validationFraction = (validationFraction != null) ? validationFraction : 0.1;
		}

	}

	/**
	 * Fine-tuning; its defaults (a quarter of the epochs, a fifth of the learning rate)
	 * depend on the model.
	 */
	record Finetune(@Min(value = 1, message = "{retrain.min}") Integer epochs,
			@DecimalMin(value = "0", inclusive = false, message = "{retrain.positive}") Double learningRate) {
	}

	record Validation(@Min(value = 0, message = "{retrain.min}") Integer minRows,
			@Min(value = 0, message = "{retrain.min}") Integer minRowsPerClass,
			@DecimalMin(value = "0", message = "must be between 0 and 1") @DecimalMax(value = "1",
					message = "must be between 0 and 1") Double maxMissingRate,
			@DecimalMin(value = "0", message = "must be between 0 and 1") @DecimalMax(value = "1",
					message = "must be between 0 and 1") Double maxUnseenCategoryRate,
			@Min(value = 0, message = "{retrain.min}") Integer minHoldoutRows,
			@DecimalMin(value = "0", message = "must be >= 0 (0 turns the check off)") Double referenceRangeFactor) {

		Validation {
			minRows = (minRows != null) ? minRows : 100;
			minRowsPerClass = (minRowsPerClass != null) ? minRowsPerClass : 10;
			maxMissingRate = (maxMissingRate != null) ? maxMissingRate : 0.2;
			maxUnseenCategoryRate = (maxUnseenCategoryRate != null) ? maxUnseenCategoryRate : 0.2;
			minHoldoutRows = (minHoldoutRows != null) ? minHoldoutRows : 20;
			referenceRangeFactor = (referenceRangeFactor != null) ? referenceRangeFactor : 1000.0;
		}

	}

	/** Where the heavy steps run when workers are enabled: the workers' queue. */
	record Resources(@Pattern(regexp = "[a-z0-9][a-z0-9-]{0,39}",
			message = "must be 1 to 40 of a-z, 0-9 and '-', starting with a letter or digit") String queue) {

		Resources {
			queue = (queue != null) ? queue : "default";
		}

	}

	record Retention(@Min(value = 1, message = "{retrain.min}") Integer keepLast,
			@Min(value = 1, message = "{retrain.min}") Integer maxAgeDays) {
	}

	/**
	 * The promotion policy; the metric's default depends on the task ({@code roc_auc}, or
	 * {@code rmse}).
	 */
	record Promotion(Metric metric, Double minValue,
			@DecimalMin(value = "0", message = "{retrain.non-negative}") Double minImprovement, Improvement improvement,
			List<@NotNull(message = "{retrain.required}") @Valid Guard> guards, @Valid Slices slices,
			FirstRunName firstRun, Approval approval,
			@DecimalMin(value = "0", message = "{retrain.non-negative}") Double tolerance, @Valid Test test,
			@Valid Committee committee, @Valid Shadow shadow) {

		Promotion {
			minImprovement = (minImprovement != null) ? minImprovement : 0.0;
			improvement = (improvement != null) ? improvement : Improvement.ABSOLUTE;
			guards = (guards != null) ? guards : List.of();
			firstRun = (firstRun != null) ? firstRun : FirstRunName.PROMOTE_IF_MIN_VALUE;
			approval = (approval != null) ? approval : Approval.NONE;
			tolerance = (tolerance != null) ? tolerance : 0.0;
		}

	}

	/**
	 * A paired test of the candidate against the champion on the primary holdout's rows
	 * ({@link dev.retrain.models.promotion.PairedTest}); resamples and seed are the
	 * bootstrap's.
	 */
	record Test(@NotNull(message = "is required (paired-bootstrap or mcnemar)") TestMethod method,
			@DecimalMin(value = "0.5", inclusive = false, message = "must be in (0.5, 1)") @DecimalMax(value = "1",
					inclusive = false, message = "must be in (0.5, 1)") Double confidence,
			Double margin, @Min(value = 100, message = "{retrain.min}") Integer resamples, Long seed) {

		Test {
			confidence = (confidence != null) ? confidence : 0.95;
			margin = (margin != null) ? margin : 0.0;
		}

	}

	/**
	 * The committee champion ({@link dev.retrain.models.committee.CommitteeSpec}): the
	 * last {@code size} kept versions, weighted by {@code weighting}; {@code eta} is
	 * hedge's learning rate, {@code share} hedge's fixed share (0 to under 1; 0, the
	 * default, is plain Hedge).
	 */
	record Committee(
			@NotNull(message = "is required: how many kept versions vote (2 or more)") @Min(value = 2,
					message = "must be >= 2 (a committee of one is the champion alone: remove the section)") @Max(
							value = 50, message = "must be at most 50") Integer size,
			@NotNull(message = "is required (hedge or best-recent)") CommitteeWeighting weighting,
			@DecimalMin(value = "0", inclusive = false, message = "{retrain.positive}") @DecimalMax(value = "1000",
					message = "must be at most 1000") Double eta,
			@DecimalMin(value = "0", message = "must be in [0, 1)") @DecimalMax(value = "1", inclusive = false,
					message = "must be in [0, 1)") Double share) {

	}

	/**
	 * A shadow challenger becomes champion only after beating the champion on real labels
	 * over {@code periods} labelled periods in a row (issue 27, part 5).
	 */
	record Shadow(@NotNull(message = "is required: how many labelled periods in a row a shadow must win") @Min(
			value = 1, message = "{retrain.min}") @Max(value = 365, message = "must be at most 365") Integer periods) {

	}

	/** How a committee's weighting is written. */
	enum CommitteeWeighting {

		@JsonProperty("hedge")
		HEDGE(CommitteeSpec.Weighting.HEDGE), @JsonProperty("best-recent")
		BEST_RECENT(CommitteeSpec.Weighting.BEST_RECENT);

		final CommitteeSpec.Weighting weighting;

		CommitteeWeighting(CommitteeSpec.Weighting weighting) {
			this.weighting = weighting;
		}

	}

	/** How the test's method is written. */
	enum TestMethod {

		@JsonProperty("paired-bootstrap")
		PAIRED_BOOTSTRAP(PairedTest.Method.PAIRED_BOOTSTRAP), @JsonProperty("mcnemar")
		MCNEMAR(PairedTest.Method.MCNEMAR);

		final PairedTest.Method method;

		TestMethod(PairedTest.Method method) {
			this.method = method;
		}

	}

	enum Improvement {

		ABSOLUTE, RELATIVE

	}

	enum Approval {

		REQUIRED, NONE

	}

	/** How the first run's rule is written. */
	enum FirstRunName {

		@JsonProperty("promote")
		PROMOTE(FirstRun.PROMOTE), @JsonProperty("promote-if-min-value")
		PROMOTE_IF_MIN_VALUE(FirstRun.PROMOTE_IF_MIN_VALUE), @JsonProperty("hold")
		HOLD(FirstRun.HOLD);

		final FirstRun rule;

		FirstRunName(FirstRun rule) {
			this.rule = rule;
		}

	}

	record Guard(@NotNull(message = "{retrain.required}") Metric metric,
			@DecimalMin(value = "0", message = "{retrain.non-negative}") Double maxRegression) {

		Guard {
			maxRegression = (maxRegression != null) ? maxRegression : 0.0;
		}

	}

	record Slices(@NotBlank(message = "{retrain.required}") String column,
			@DecimalMin(value = "0", message = "{retrain.non-negative}") Double maxRegression,
			@Min(value = 1, message = "{retrain.min}") Integer minRows) {

		Slices {
			maxRegression = (maxRegression != null) ? maxRegression : 0.05;
			minRows = (minRows != null) ? minRows : 30;
		}

	}

	/** A Quartz cron expression; checked with Quartz's own parser by the loader. */
	/**
	 * Batch scoring: the input column carried to the predictions as their key, where the
	 * predictions go, and an optional schedule.
	 */
	record Scoring(String key, String output, @Valid Schedule schedule, List<String> shadow) {
	}

	/** Labels that land after scoring: date partitions of key and label. */
	record Labels(@NotBlank(message = "is required: the date-partitioned labels (key and label columns)") String path,
			String key, String column) {
	}

	record Schedule(@NotBlank(message = "{retrain.required}") String cron, String timeZone) {

		Schedule {
			timeZone = (timeZone != null) ? timeZone : "UTC";
		}

	}

	/**
	 * Candidates per retrain: lists of values to try (each defaults to the model's own
	 * setting), how to choose among their combinations, the budget, and the newest days
	 * held out from every candidate to choose on.
	 */
	record Search(SearchStrategy strategy, Long seed,
			@Min(value = 1, message = "must be >= 1 (0 admits no candidate)") Integer maxCandidates,
			@DecimalMin(value = "0", inclusive = false,
					message = "must be a number of seconds > 0 (0 admits no candidate)") Double maxTrainingSeconds,
			@NotNull(message = "is required: the newest days held out from every candidate, to choose on") @Min(
					value = 1, message = "{retrain.min}") Integer selectionDays,
			List<@NotNull(message = "must be a number of days") @Min(value = 1,
					message = "{retrain.min}") Integer> windowsDays,
			List<@NotNull(message = "must be a list of layer widths") List<@NotNull(
					message = "{retrain.layer-width}") @Min(value = 1, message = "{retrain.layer-width}") @Max(
							value = 4096, message = "{retrain.layer-width}") Integer>> hiddenLayers,
			List<@NotNull(message = "{retrain.positive}") @DecimalMin(value = "0", inclusive = false,
					message = "{retrain.positive}") Double> learningRate,
			List<@NotNull(message = "{retrain.non-negative}") @DecimalMin(value = "0",
					message = "{retrain.non-negative}") Double> weightDecay,
			List<@NotNull(message = "must be >= 1") @Min(value = 1, message = "{retrain.min}") Integer> epochs,
			Boolean fineTune,
			@Min(value = 0, message = "must be >= 0 (0: half this machine's cores, at least 1)") @Max(value = 64,
					message = "must be at most 64") Integer threads) {

		Search {
			strategy = (strategy != null) ? strategy : SearchStrategy.GRID;
			maxCandidates = (maxCandidates != null) ? maxCandidates : 8;
			maxTrainingSeconds = (maxTrainingSeconds != null) ? maxTrainingSeconds : 1800.0;
			fineTune = (fineTune != null) ? fineTune : Boolean.FALSE;
			threads = (threads != null) ? threads : 0;
		}

	}

	/** How a search's strategy is written. */
	enum SearchStrategy {

		@JsonProperty("grid")
		GRID, @JsonProperty("random")
		RANDOM

	}

	/**
	 * The cost trigger's prices: one retrain, and one point (0.01) of the metric lost on
	 * one row.
	 */
	record Cost(
			@NotNull(message = "{retrain.required}") @DecimalMin(value = "0", inclusive = false,
					message = "{retrain.positive}") Double retrainCost,
			@NotNull(message = "{retrain.required}") @DecimalMin(value = "0", inclusive = false,
					message = "{retrain.positive}") Double valuePerPoint) {
	}

	/** At most {@code maxRetrains} automatic retrains in any {@code perDays} days. */
	record Budget(@NotNull(message = "{retrain.required}") @Min(value = 1,
			message = "must be >= 1 (to allow none, remove the schedule and drift triggers)") Integer maxRetrains,
			@NotNull(message = "{retrain.required}") @Min(value = 1, message = "{retrain.min}") Integer perDays) {
	}

	record Drift(@Valid Schedule schedule, @Min(value = 1, message = "{retrain.min}") Integer currentDays,
			@Min(value = 1, message = "{retrain.min}") Integer minRows,
			@DecimalMin(value = "0", inclusive = false, message = "must be in (0, 0.5)") @DecimalMax(value = "0.5",
					inclusive = false, message = "must be in (0, 0.5)") Double alpha,
			@DecimalMin(value = "0", inclusive = false, message = "must be in (0, 1]") @DecimalMax(value = "1",
					message = "must be in (0, 1]") Double minDriftedShare,
			@DecimalMin(value = "0", message = "{retrain.non-negative}") Double numericEffectFloor,
			@DecimalMin(value = "0", message = "{retrain.non-negative}") Double categoricalEffectFloor,
			@DecimalMin(value = "0", message = "{retrain.non-negative}") Double performanceFloor,
			List<DriftPolicy.@NotNull(message = "{retrain.required}") Signal> triggerOn, Combine combine,
			@DecimalMin(value = "0", message = "{retrain.non-negative}") Double cooldownHours,
			OnNewPartition onNewPartition, @Valid Budget budget, @Valid Cost cost) {

		Drift {
			currentDays = (currentDays != null) ? currentDays : 1;
			minRows = (minRows != null) ? minRows : 100;
			alpha = (alpha != null) ? alpha : 0.01;
			minDriftedShare = (minDriftedShare != null) ? minDriftedShare : 0.3;
			numericEffectFloor = (numericEffectFloor != null) ? numericEffectFloor : 0.1;
			categoricalEffectFloor = (categoricalEffectFloor != null) ? categoricalEffectFloor : 0.05;
			performanceFloor = (performanceFloor != null) ? performanceFloor : 0.02;
			triggerOn = (triggerOn != null) ? triggerOn
					: List.of(DriftPolicy.Signal.INPUT, DriftPolicy.Signal.PREDICTION, DriftPolicy.Signal.PERFORMANCE);
			combine = (combine != null) ? combine : Combine.ANY;
			cooldownHours = (cooldownHours != null) ? cooldownHours : 24.0;
			onNewPartition = (onNewPartition != null) ? onNewPartition : OnNewPartition.NONE;
		}

	}

	enum Combine {

		ANY, ALL

	}

}

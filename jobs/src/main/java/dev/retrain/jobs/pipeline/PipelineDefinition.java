package dev.retrain.jobs.pipeline;

import java.util.ArrayList;
import java.util.List;

import dev.retrain.models.committee.CommitteeSpec;
import dev.retrain.models.features.DerivedFeature;
import dev.retrain.models.features.DerivedFeatures;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.promotion.PromotionPolicy;
import dev.retrain.models.search.SearchSpace;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelSource;

/**
 * One model's retraining pipeline, loaded from {@code configs/<name>.yaml} and checked:
 * where its data is, what it learns from, how it is trained, checked and promoted, and
 * where it came from ({@link Origin}: the file and the SHA-256 of its bytes). Every value
 * is set: defaults of one field come from {@link PipelineYaml}, those that depend on
 * other fields (holdouts, fine-tuning, the promotion metric, hidden layers) from
 * {@link PipelineRules}. {@code committee} is null unless {@code promotion.committee}
 * asks for a committee champion; {@code shadowPromotion} null unless
 * {@code promotion.shadow} lets a shadow version become champion on realised wins.
 */
public record PipelineDefinition(String name, String description, Data data, List<FeatureSpec> features, Label label,
		List<HoldoutSpec> holdouts, Model model, Training training, ValidationRules validation,
		PromotionPolicy promotion, boolean approvalRequired, Schedule schedule, DriftPolicy drift, Retention retention,
		Origin origin, Resources resources, Search search, Scoring scoring, Labels labels, CommitteeSpec committee,
		List<DerivedFeature> derived, ShadowPromotion shadowPromotion) {

	public PipelineDefinition {
		derived = (derived != null) ? List.copyOf(derived) : List.of();
	}

	/**
	 * The model's inputs: the listed features, then each derived feature (numeric),
	 * computed by {@link DerivedFeatures} from earlier periods.
	 */
	public List<FeatureSpec> modelFeatures() {
		if (this.derived.isEmpty()) {
			return this.features;
		}
		List<FeatureSpec> all = new ArrayList<>(this.features);
		this.derived.forEach(d -> all.add(FeatureSpec.numeric(d.name())));
		return all;
	}

	/**
	 * The derived features of this pipeline, rating {@code label}'s positive class
	 * (binary) or mean (regression).
	 */
	public DerivedFeatures derivedFeatures(LabelEncoding label) {
		String positive = (label.task() == Task.BINARY_CLASSIFICATION) ? label.classes().get(1) : null;
		return new DerivedFeatures(this.derived, label.column(), positive);
	}

	/**
	 * Batch scoring: {@code key} (an input column, as text, that identifies a row in the
	 * predictions, or null), {@code output} (where the date-partitioned predictions go),
	 * an optional cron, and the shadow versions scored beside the served one
	 * ({@code shadow}: aliases, or version numbers as text; never null).
	 */
	public record Scoring(String key, String output, Schedule schedule, List<String> shadow) {

		public Scoring {
			shadow = (shadow != null) ? List.copyOf(shadow) : List.of();
		}

		public Scoring(String key, String output, Schedule schedule) {
			this(key, output, schedule, List.of());
		}

	}

	/**
	 * {@code promotion.shadow}: a shadow version becomes champion once it has beaten the
	 * served champion on real labels in each of its newest {@code periods} labelled
	 * periods (each through {@code promotion.test} when set).
	 */
	public record ShadowPromotion(int periods) {
	}

	/**
	 * Delayed labels: date partitions at {@code path} with columns {@code key} (joins the
	 * predictions' key) and {@code column} (the label). Null when the pipeline has none.
	 */
	public record Labels(String path, String key, String column) {
	}

	/**
	 * The candidates a retrain tries ({@code space}), the newest {@code selectionDays}
	 * held out from all of them to choose on, and the seconds of training after which no
	 * further candidate starts. Null: one model with the model's settings.
	 */
	public record Search(SearchSpace space, int selectionDays, double maxTrainingSeconds, int threads) {

		/**
		 * How many candidates train at once on one node: {@code threads}, or with 0 half
		 * the cores (PyTorch already spreads one training over several), at least 1.
		 */
		public int localThreads() {
			return (this.threads > 0) ? this.threads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
		}

	}

	/**
	 * Where the heavy steps (train, evaluate) run when workers are enabled: the name of
	 * the workers' queue ({@code default} unless the file says otherwise).
	 */
	public record Resources(String queue) {
	}

	/** Where the date-partitioned data is, and how many days a run reads. */
	public record Data(String path, int windowDays) {
	}

	/** The column learned, its task, and (classification) its classes if fixed. */
	public record Label(String column, Task task, List<String> classes) {
	}

	/**
	 * The network: its family, hidden layers (none for a linear model), training
	 * settings, and for a TorchScript model the module file a retrain starts from
	 * ({@code source}, null for the built-in families).
	 */
	public record Model(ModelFamily family, List<Integer> hiddenLayers, Hyperparameters hyperparameters,
			ModelSource source) {

		public Model(ModelFamily family, List<Integer> hiddenLayers, Hyperparameters hyperparameters) {
			this(family, hiddenLayers, hyperparameters, null);
		}

	}

	/** Whether a run retrains or fine-tunes, and the fine-tuning settings. */
	public record Training(Mode mode, int finetuneEpochs, double finetuneLearningRate) {
	}

	/** The file a definition was loaded from, and the SHA-256 of its bytes. */
	public record Origin(String source, String configHash) {
	}

	/**
	 * Which versions retention keeps besides the protected ones (champion, previous,
	 * pending, aliased): the newest {@code keepLast}, and any younger than
	 * {@code maxAgeDays}. Null fields do not limit.
	 */
	public record Retention(Integer keepLast, Integer maxAgeDays) {
	}

	/** A Quartz cron expression (seconds first) in a time zone. */
	public record Schedule(String cron, String timeZone) {
	}

	public enum Mode {

		/** Train from scratch on the window. */
		RETRAIN,
		/**
		 * Warm-start from the champion's weights and encoders, with fewer epochs and a
		 * lower learning rate.
		 */
		FINETUNE

	}

	/** Which holdout a metric comes from: the first is primary. */
	public HoldoutSpec primaryHoldout() {
		return this.holdouts.get(0);
	}

	public List<String> featureNames() {
		return this.features.stream().map(FeatureSpec::name).toList();
	}

	public String dataPath() {
		return this.data.path();
	}

	public int windowDays() {
		return this.data.windowDays();
	}

	public String labelColumn() {
		return this.label.column();
	}

	public Task task() {
		return this.label.task();
	}

	public List<String> classes() {
		return this.label.classes();
	}

	public ModelFamily family() {
		return this.model.family();
	}

	public List<Integer> hiddenLayers() {
		return this.model.hiddenLayers();
	}

	/**
	 * The network a retrain builds for {@code width} encoded inputs and {@code outputs}
	 * outputs, with {@code hiddenLayers} (a search candidate's, or the model's).
	 */
	public ModelShape shape(List<Integer> hiddenLayers, int width, int outputs) {
		return new ModelShape(task(), family(), hiddenLayers, width, outputs, this.model.source());
	}

	public Hyperparameters hyperparameters() {
		return this.model.hyperparameters();
	}

	public Mode mode() {
		return this.training.mode();
	}

	public int finetuneEpochs() {
		return this.training.finetuneEpochs();
	}

	public double finetuneLearningRate() {
		return this.training.finetuneLearningRate();
	}

	public String source() {
		return this.origin.source();
	}

	public String configHash() {
		return this.origin.configHash();
	}

}

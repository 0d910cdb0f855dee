package dev.retrain.jobs.pipeline;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.quartz.CronExpression;
import tools.jackson.databind.JsonNode;

import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.FeatureSpec.FeatureType;
import dev.retrain.models.features.Task;
import dev.retrain.models.files.PathSegment;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.promotion.Guard;
import dev.retrain.models.promotion.PromotionPolicy;
import dev.retrain.models.promotion.SliceRule;
import dev.retrain.models.search.SearchSpace;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.Solver;

/**
 * The rules of a pipeline file that span fields (a label that is also a feature, a solver
 * that does not fit the family, a slice column that is not a categorical feature, ...)
 * and the few a constraint cannot say (the name's pattern, a cron, a time zone), applied
 * to a bound and validated {@link PipelineYaml}; then the {@link PipelineDefinition} it
 * describes, with the defaults that depend on other fields.
 */
final class PipelineRules {

	private final ConfigBinder.Bound<?> bound;

	private final List<ConfigProblem> problems = new ArrayList<>();

	PipelineRules(List<ConfigProblem> earlier) {
		this.bound = new ConfigBinder.Bound<>(null, earlier);
	}

	List<ConfigProblem> problems() {
		return this.problems;
	}

	PipelineDefinition definition(PipelineYaml y, String source, String hash) {
		if (y.name() != null && !PathSegment.isName(y.name())) {
			problem("name", "'" + y.name() + "' must match " + PathSegment.NAME.pattern());
		}
		List<FeatureSpec> features = features(y.features());
		PipelineDefinition.Label label = label(y.label(), features);
		Task task = (label != null) ? label.task() : null;
		List<HoldoutSpec> holdouts = holdouts(y.holdouts());
		PipelineDefinition.Model model = model(y.model(), task);
		double lr = model.hyperparameters().learningRate();
		PipelineDefinition.Training training = new PipelineDefinition.Training(y.mode(),
				(y.finetune().epochs() != null) ? y.finetune().epochs()
						: Math.max(1, model.hyperparameters().epochs() / 4),
				(y.finetune().learningRate() != null) ? y.finetune().learningRate() : lr / 5);
		PipelineYaml.Validation v = y.validation();
		ValidationRules rules = new ValidationRules(v.minRows(), v.minRowsPerClass(), v.maxMissingRate(),
				v.maxUnseenCategoryRate(), v.minHoldoutRows(), v.referenceRangeFactor());
		PromotionPolicy promotion = promotion(y.promotion(), task, features);
		boolean approval = y.promotion() != null && y.promotion().approval() == PipelineYaml.Approval.REQUIRED;
		PipelineDefinition.Schedule schedule = schedule("schedule", y.schedule());
		DriftPolicy drift = drift(y.drift());
		PipelineDefinition.Data data = (y.data() != null)
				? new PipelineDefinition.Data(y.data().path(), y.data().windowDays()) : null;
		int outOfTime = holdouts.stream()
			.filter(h -> h.type() == HoldoutSpec.Type.OUT_OF_TIME)
			.mapToInt(HoldoutSpec::days)
			.max()
			.orElse(0);
		PipelineDefinition.Search search = search(y.search(), model, training, data, outOfTime);
		return new PipelineDefinition(y.name(), y.description(), data, features, label, holdouts, model, training,
				rules, promotion, approval, schedule, drift,
				new PipelineDefinition.Retention(y.retention().keepLast(), y.retention().maxAgeDays()),
				new PipelineDefinition.Origin(source, hash), new PipelineDefinition.Resources(y.resources().queue()),
				search, scoring(y), labels(y));
	}

	private PipelineDefinition.Scoring scoring(PipelineYaml y) {
		PipelineYaml.Scoring s = y.scoring();
		if (s == null) {
			return new PipelineDefinition.Scoring(null, "predictions/" + y.name(), null);
		}
		if (s.key() != null && y.features() != null
				&& y.features().stream().anyMatch(f -> f != null && s.key().equals(f.name()))) {
			this.problems.add(new ConfigProblem("scoring.key",
					"'" + s.key() + "' is a feature; the key identifies a row (an id column), it is not scored"));
		}
		return new PipelineDefinition.Scoring(s.key(),
				(s.output() != null && !s.output().isBlank()) ? s.output() : "predictions/" + y.name(),
				schedule("scoring.schedule", s.schedule()));
	}

	private PipelineDefinition.Labels labels(PipelineYaml y) {
		PipelineYaml.Labels l = y.labels();
		if (l == null) {
			return null;
		}
		String key = (l.key() != null) ? l.key() : (y.scoring() != null) ? y.scoring().key() : null;
		if (key == null) {
			this.problems.add(new ConfigProblem("labels.key",
					"is required (or scoring.key): the column that joins labels to the predictions"));
		}
		else if (y.scoring() == null || y.scoring().key() == null) {
			this.problems.add(new ConfigProblem("scoring.key",
					"is required with labels: the predictions must carry the key the labels join on"));
		}
		return new PipelineDefinition.Labels(l.path(), key,
				(l.column() != null) ? l.column() : (y.label() != null) ? y.label().column() : null);
	}

	/**
	 * The search, each list defaulting to the model's own value; refused: an empty list,
	 * a window longer than the data window (the run's snapshot covers only that), a
	 * selection as long as the shortest window (a candidate would have no day to train
	 * on), hidden layers for a linear model, a grid larger than the budget.
	 */
	private PipelineDefinition.Search search(PipelineYaml.Search s, PipelineDefinition.Model model,
			PipelineDefinition.Training training, PipelineDefinition.Data data, int outOfTimeDays) {
		if (s == null) {
			return null;
		}
		var hp = model.hyperparameters();
		List<Integer> windows = listed("search.windows-days", s.windowsDays(),
				(data != null) ? List.of(data.windowDays()) : List.of(1));
		List<List<Integer>> layers = listed("search.hidden-layers", s.hiddenLayers(), List.of(model.hiddenLayers()));
		List<Double> rates = listed("search.learning-rate", s.learningRate(), List.of(hp.learningRate()));
		List<Double> decays = listed("search.weight-decay", s.weightDecay(), List.of(hp.weightDecay()));
		List<Integer> epochs = listed("search.epochs", s.epochs(), List.of(hp.epochs()));
		if (data != null) {
			for (int i = 0; i < windows.size(); i++) {
				if (windows.get(i) != null && windows.get(i) > data.windowDays()) {
					problem("search.windows-days[" + i + "]", windows.get(i) + " is longer than data.window-days ("
							+ data.windowDays() + "): a run's snapshot covers only that");
				}
			}
		}
		int shortest = windows.stream().filter(w -> w != null).mapToInt(Integer::intValue).min().orElse(1);
		if (s.selectionDays() != null && s.selectionDays() + outOfTimeDays >= shortest) {
			problem("search.selection-days",
					s.selectionDays()
							+ ((outOfTimeDays > 0) ? " (plus the out-of-time holdout's " + outOfTimeDays + " days)"
									: "")
							+ " must be shorter than the shortest window (" + shortest
							+ " days): a candidate would have no day left to train on");
		}
		if (s.hiddenLayers() != null && model.family() == ModelFamily.LINEAR) {
			problem("search.hidden-layers", "only for family mlp (this model is linear)");
		}
		if (s.hiddenLayers() != null && layers.stream().anyMatch(l -> l != null && l.isEmpty())) {
			problem("search.hidden-layers",
					"each entry needs at least one layer (for a linear model, use family linear)");
		}
		SearchSpace.Strategy strategy = (s.strategy() == PipelineYaml.SearchStrategy.RANDOM)
				? SearchSpace.Strategy.RANDOM : SearchSpace.Strategy.GRID;
		SearchSpace space = new SearchSpace(windows, layers, rates, decays, epochs, s.fineTune(),
				training.finetuneLearningRate(), training.finetuneEpochs(), strategy,
				(s.seed() != null) ? s.seed() : hp.seed(), s.maxCandidates());
		long size = space.combinations() + (s.fineTune() ? 1 : 0);
		if (strategy == SearchSpace.Strategy.GRID && size > s.maxCandidates()) {
			problem("search.max-candidates", "the grid has " + size + " candidates, more than max-candidates ("
					+ s.maxCandidates() + "): raise max-candidates or use strategy: random");
		}
		if (s.fineTune() && s.maxCandidates() < 2) {
			problem("search.max-candidates", "fine-tune is one more candidate: max-candidates must be >= 2");
		}
		return new PipelineDefinition.Search(space, (s.selectionDays() != null) ? s.selectionDays() : 1,
				s.maxTrainingSeconds(), s.threads());
	}

	/** {@code given}, or {@code fallback} when absent; an empty list is a problem. */
	private <T> List<T> listed(String field, List<T> given, List<T> fallback) {
		if (given == null) {
			return fallback;
		}
		if (given.isEmpty()) {
			problem(field, "must list at least one value (an empty search space)");
			return fallback;
		}
		return given;
	}

	private List<FeatureSpec> features(List<PipelineYaml.Feature> list) {
		List<FeatureSpec> features = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (int i = 0; list != null && i < list.size(); i++) {
			PipelineYaml.Feature f = list.get(i);
			String at = "features[" + i + "]";
			if (f == null || f.name() == null || f.name().isBlank()) {
				continue;
			}
			if (!seen.add(f.name())) {
				problem(at + ".name", "'" + f.name() + "' is listed twice");
			}
			if (f.type() == FeatureType.CATEGORICAL && (f.min() != null || f.max() != null)) {
				problem(at, "min/max only apply to numeric features");
			}
			if (f.min() != null && f.max() != null && f.min() > f.max()) {
				problem(at + ".min", "must not exceed max (" + f.min() + " > " + f.max() + ")");
			}
			if (f.type() != null) {
				features.add(new FeatureSpec(f.name(), f.type(), f.min(), f.max()));
			}
		}
		return features;
	}

	private PipelineDefinition.Label label(PipelineYaml.Label label, List<FeatureSpec> features) {
		if (label == null) {
			return null;
		}
		Task task = (label.task() != null) ? label.task().task : null;
		List<String> classes = label.classes();
		if (classes != null && task == Task.REGRESSION) {
			problem("label.classes", "only applies to classification");
		}
		if (classes != null && task == Task.BINARY_CLASSIFICATION && classes.size() != 2) {
			problem("label.classes", "a binary label needs exactly 2 classes, got " + classes);
		}
		if (label.column() != null && features.stream().anyMatch(f -> f.name().equals(label.column()))) {
			problem("label.column", "'" + label.column() + "' is also listed as a feature");
		}
		return new PipelineDefinition.Label(label.column(), task, classes);
	}

	private List<HoldoutSpec> holdouts(List<PipelineYaml.Holdout> list) {
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
				problem(at + ".name", "'" + name + "' is used twice");
			}
			switch (h.type()) {
				case OUT_OF_TIME ->
					holdouts.add(new HoldoutSpec(name, HoldoutSpec.Type.OUT_OF_TIME, h.days(), 0, 0, null));
				case RANDOM ->
					holdouts.add(new HoldoutSpec(name, HoldoutSpec.Type.RANDOM, 0, h.fraction(), h.seed(), null));
				case GOLDEN -> {
					if (h.path() == null || h.path().isBlank()) {
						problem(at + ".path", "is required");
					}
					holdouts.add(new HoldoutSpec(name, HoldoutSpec.Type.GOLDEN, 0, 0, 0, h.path()));
				}
			}
		}
		return holdouts;
	}

	private PipelineDefinition.Model model(PipelineYaml.Model m, Task task) {
		ModelFamily family = m.family().family;
		if (family == ModelFamily.LINEAR && m.hiddenLayers() != null && !m.hiddenLayers().isEmpty()) {
			problem("model.hidden-layers", "a linear model has no hidden layers (use family: mlp)");
		}
		boolean balanced = false;
		Map<String, Double> classWeights = null;
		JsonNode cw = m.classWeights();
		if (cw != null && !cw.isNull()) {
			if (cw.isString() && cw.asString().equals("balanced")) {
				balanced = true;
			}
			else if (cw.isObject()) {
				classWeights = new LinkedHashMap<>();
				for (Map.Entry<String, JsonNode> e : cw.properties()) {
					if (!e.getValue().isNumber() || !(e.getValue().asDouble() > 0)
							|| !Double.isFinite(e.getValue().asDouble())) {
						problem("model.class-weights." + e.getKey(), "must be a positive number, was " + e.getValue());
					}
					else {
						classWeights.put(e.getKey(), e.getValue().asDouble());
					}
				}
			}
			else {
				problem("model.class-weights", "must be 'balanced' or a map of class to weight, was " + cw);
			}
			if (task == Task.REGRESSION) {
				problem("model.class-weights", "only applies to classification");
			}
		}
		if (m.solver() == Solver.NEWTON && family != ModelFamily.LINEAR) {
			problem("model.solver", "newton fits linear models only (family: linear); use adam for an mlp");
		}
		if (m.solver() == Solver.NEWTON && task == Task.MULTICLASS_CLASSIFICATION) {
			problem("model.solver", "newton fits binary classification or regression; use adam for multiclass");
		}
		Hyperparameters hp = new Hyperparameters(m.epochs(), m.batchSize(), m.learningRate(), m.weightDecay(),
				m.earlyStopping().patience(), m.earlyStopping().validationFraction(), m.seed(), classWeights, balanced,
				m.solver());
		return new PipelineDefinition.Model(family, (family == ModelFamily.MLP) ? m.layers() : List.of(), hp);
	}

	private PromotionPolicy promotion(PipelineYaml.Promotion p, Task task, List<FeatureSpec> features) {
		Metric fallback = (task == Task.REGRESSION) ? Metric.RMSE : Metric.ROC_AUC;
		if (p == null) {
			return new PromotionPolicy(fallback, null, 0.0, false, List.of(), null,
					PipelineYaml.FirstRunName.PROMOTE_IF_MIN_VALUE.rule);
		}
		Metric metric = (p.metric() != null) ? p.metric() : fallback;
		fits("promotion.metric", p.metric(), task);
		List<Guard> guards = new ArrayList<>();
		for (int i = 0; i < p.guards().size(); i++) {
			PipelineYaml.Guard g = p.guards().get(i);
			if (g != null && g.metric() != null) {
				fits("promotion.guards[" + i + "].metric", g.metric(), task);
				guards.add(new Guard(g.metric(), g.maxRegression()));
			}
		}
		SliceRule slices = null;
		if (p.slices() != null) {
			String column = p.slices().column();
			if (column != null && features.stream()
				.noneMatch(f -> f.name().equals(column) && f.type() == FeatureType.CATEGORICAL)) {
				problem("promotion.slices.column", "'" + column + "' must be one of the categorical features");
			}
			slices = new SliceRule(column, p.slices().maxRegression(), p.slices().minRows());
		}
		if (p.tolerance() > 0 && p.minImprovement() > 0) {
			problem("promotion.tolerance", "a tolerance and a min-improvement exclude each other");
		}
		return new PromotionPolicy(metric, p.minValue(), p.minImprovement(),
				p.improvement() == PipelineYaml.Improvement.RELATIVE, guards, slices, p.firstRun().rule, p.tolerance());
	}

	private void fits(String field, Metric metric, Task task) {
		if (metric != null && task != null && !metric.appliesTo(task)) {
			problem(field,
					"'" + metric.key() + "' does not apply to a " + task.name().toLowerCase(Locale.ROOT) + " task");
		}
	}

	private PipelineDefinition.Schedule schedule(String field, PipelineYaml.Schedule s) {
		if (s == null) {
			return null;
		}
		String cron = s.cron();
		if (cron != null && !cron.isBlank() && !CronExpression.isValidExpression(cron)) {
			String why;
			try {
				new CronExpression(cron);
				why = "invalid";
			}
			catch (java.text.ParseException ex) {
				why = ex.getMessage();
			}
			problem(field + ".cron", "'" + cron + "' is not a Quartz cron expression (seconds minutes hours "
					+ "day-of-month month day-of-week, e.g. '0 0 2 * * ?'): " + why);
		}
		try {
			ZoneId.of(s.timeZone());
		}
		catch (DateTimeException ex) {
			problem(field + ".time-zone", "'" + s.timeZone() + "' is not a time zone id (e.g. UTC, Europe/Berlin)");
		}
		return new PipelineDefinition.Schedule(cron, s.timeZone());
	}

	private DriftPolicy drift(PipelineYaml.Drift d) {
		if (d.triggerOn() != null && d.triggerOn().contains(DriftPolicy.Signal.COST) && d.cost() == null) {
			problem("drift.trigger-on", "cost needs drift.cost (retrain-cost, value-per-point)");
		}
		return new DriftPolicy(schedule("drift.schedule", d.schedule()), d.currentDays(), d.minRows(), d.alpha(),
				d.minDriftedShare(), d.numericEffectFloor(), d.categoricalEffectFloor(), d.performanceFloor(),
				d.triggerOn().stream().filter(s -> s != null).toList(), d.combine() == PipelineYaml.Combine.ALL,
				d.cooldownHours(), d.onNewPartition(),
				(d.budget() != null && d.budget().maxRetrains() != null && d.budget().perDays() != null)
						? new DriftPolicy.Budget(d.budget().maxRetrains(), d.budget().perDays()) : null,
				(d.cost() != null && d.cost().retrainCost() != null && d.cost().valuePerPoint() != null)
						? new DriftPolicy.Cost(d.cost().retrainCost(), d.cost().valuePerPoint()) : null);
	}

	private void problem(String field, String reason) {
		if (!this.bound.reported(field)) {
			this.problems.add(new ConfigProblem(field, reason));
		}
	}

}

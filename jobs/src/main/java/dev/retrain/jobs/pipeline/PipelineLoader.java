package dev.retrain.jobs.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.promotion.FirstRun;
import dev.retrain.models.promotion.Guard;
import dev.retrain.models.promotion.PromotionPolicy;
import dev.retrain.models.promotion.SliceRule;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.Solver;
import dev.retrain.models.training.Task;
import org.quartz.CronExpression;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads and checks pipeline files. Unknown fields are refused (a typo must not silently fall back to a
 * default); every value is checked, and all problems of a file are reported at once, naming the file
 * and the field.
 */
public final class PipelineLoader {

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.build();

	/** A file that loaded, or the reason it did not. */
	public record Loaded(String file, PipelineDefinition definition, PipelineConfigInvalid error) {
	}

	/** Loads every {@code *.yaml} / {@code *.yml} file of a directory; one bad file does not stop the others. */
	public List<Loaded> loadDirectory(Path dir) {
		List<Loaded> result = new ArrayList<>();
		if (!Files.isDirectory(dir)) {
			return result;
		}
		try (var files = Files.list(dir)) {
			for (Path file : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
				.sorted()
				.toList()) {
				String shown = dir.getFileName() + "/" + file.getFileName();
				try {
					result.add(new Loaded(shown, load(file, shown), null));
				}
				catch (PipelineConfigInvalid ex) {
					result.add(new Loaded(shown, null, ex));
				}
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot list pipeline directory " + dir + ": " + ex.getMessage(), ex);
		}
		Map<String, List<Loaded>> byName = result.stream()
			.filter(l -> l.definition() != null)
			.collect(Collectors.groupingBy(l -> l.definition().name()));
		List<Loaded> checked = new ArrayList<>();
		for (Loaded l : result) {
			if (l.definition() != null && byName.get(l.definition().name()).size() > 1) {
				checked.add(new Loaded(l.file(), null, new PipelineConfigInvalid(l.file(), List.of(new ConfigProblem("name",
						"pipeline name '" + l.definition().name() + "' is used by more than one file: "
								+ byName.get(l.definition().name()).stream().map(Loaded::file).toList())))));
			}
			else {
				checked.add(l);
			}
		}
		return checked;
	}

	public PipelineDefinition load(Path file, String shownName) {
		try {
			return parse(Files.readString(file, StandardCharsets.UTF_8), shownName);
		}
		catch (IOException ex) {
			throw new PipelineConfigInvalid(shownName, List.of(new ConfigProblem(null, "cannot read: " + ex.getMessage())));
		}
	}

	/** Parses and checks YAML text; {@code source} names it in messages. */
	public PipelineDefinition parse(String text, String source) {
		PipelineYaml y;
		try {
			y = YAML.readValue(text, PipelineYaml.class);
		}
		catch (UnrecognizedPropertyException ex) {
			String known = ex.getKnownPropertyIds()
				.stream()
				.map(Object::toString)
				.sorted()
				.collect(Collectors.joining(", "));
			throw invalid(source, path(ex), "unknown field '" + ex.getPropertyName() + "' (known fields: " + known + ")");
		}
		catch (DatabindException ex) {
			throw invalid(source, path(ex), "bad value: " + ex.getOriginalMessage());
		}
		catch (JacksonException ex) {
			throw invalid(source, null, "not valid YAML: " + ex.getOriginalMessage());
		}
		if (y == null) {
			throw invalid(source, null, "the file is empty");
		}
		return new Checker(source, hash(text)).check(y);
	}

	private static PipelineConfigInvalid invalid(String source, String field, String reason) {
		return new PipelineConfigInvalid(source, List.of(new ConfigProblem(field, reason)));
	}

	/** Where in a YAML document a binding error is, as {@code a.b[2].c}; empty at the top. */
	public static String path(DatabindException ex) {
		StringBuilder sb = new StringBuilder();
		for (JacksonException.Reference ref : ex.getPath()) {
			if (ref.getPropertyName() != null) {
				sb.append(sb.isEmpty() ? "" : ".").append(ref.getPropertyName());
			}
			else if (ref.getIndex() >= 0) {
				sb.append('[').append(ref.getIndex()).append(']');
			}
		}
		return sb.toString();
	}

	static String hash(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Checks one parsed file, collecting every problem before failing. */
	private static final class Checker {

		private final String source;

		private final String hash;

		private final List<ConfigProblem> problems = new ArrayList<>();

		Checker(String source, String hash) {
			this.source = source;
			this.hash = hash;
		}

		PipelineDefinition check(PipelineYaml y) {
			String name = require("name", y.name());
			if (name != null && !ModelStore.NAME.matcher(name).matches()) {
				problem("name", "'" + name + "' must match " + ModelStore.NAME.pattern());
			}
			PipelineYaml.Data data = require("data", y.data());
			String dataPath = (data != null) ? require("data.path", data.path()) : null;
			int windowDays = (data != null) ? positive("data.window-days", data.windowDays(), 30) : 30;

			List<FeatureSpec> features = features(y.features());
			PipelineYaml.Label label = require("label", y.label());
			String labelColumn = (label != null) ? require("label.column", label.column()) : null;
			Task task = (label != null) ? oneOf("label.task", label.task(), Map.of("binary", Task.BINARY_CLASSIFICATION,
					"multiclass", Task.MULTICLASS_CLASSIFICATION, "regression", Task.REGRESSION), null) : null;
			if (label != null && label.task() == null) {
				problem("label.task", "is required (binary, multiclass or regression)");
			}
			List<String> classes = (label != null) ? label.classes() : null;
			if (classes != null && task == Task.REGRESSION) {
				problem("label.classes", "only applies to classification");
			}
			if (classes != null && task == Task.BINARY_CLASSIFICATION && classes.size() != 2) {
				problem("label.classes", "a binary label needs exactly 2 classes, got " + classes);
			}
			if (labelColumn != null && features.stream().anyMatch(f -> f.name().equals(labelColumn))) {
				problem("label.column", "'" + labelColumn + "' is also listed as a feature");
			}

			List<HoldoutSpec> holdouts = holdouts(y.holdouts());
			PipelineYaml.Model m = (y.model() != null) ? y.model()
					: new PipelineYaml.Model(null, null, null, null, null, null, null, null, null, null);
			ModelFamily family = oneOf("model.family", m.family(),
					Map.of("linear", ModelFamily.LINEAR, "logistic", ModelFamily.LINEAR, "mlp", ModelFamily.MLP),
					ModelFamily.MLP);
			List<Integer> hidden = (m.hiddenLayers() != null) ? m.hiddenLayers() : List.of(32, 16);
			for (int i = 0; i < hidden.size(); i++) {
				if (hidden.get(i) == null || hidden.get(i) < 1 || hidden.get(i) > 4096) {
					problem("model.hidden-layers[" + i + "]", "must be between 1 and 4096, was " + hidden.get(i));
				}
			}
			if (family == ModelFamily.LINEAR && m.hiddenLayers() != null && !m.hiddenLayers().isEmpty()) {
				problem("model.hidden-layers", "a linear model has no hidden layers (use family: mlp)");
			}
			int epochs = positive("model.epochs", m.epochs(), 20);
			int batchSize = positive("model.batch-size", m.batchSize(), 256);
			double lr = positiveReal("model.learning-rate", m.learningRate(), 0.005);
			double wd = nonNegative("model.weight-decay", m.weightDecay(), 0.0);
			PipelineYaml.EarlyStopping es = m.earlyStopping();
			int patience = (es != null && es.patience() != null) ? es.patience() : 3;
			if (patience < 0) {
				problem("model.early-stopping.patience", "must be >= 0 (0 turns early stopping off), was " + patience);
			}
			double valFraction = (es != null && es.validationFraction() != null) ? es.validationFraction() : 0.1;
			if (valFraction < 0 || valFraction >= 0.9) {
				problem("model.early-stopping.validation-fraction", "must be in [0, 0.9), was " + valFraction);
			}
			long seed = (m.seed() != null) ? m.seed() : 42L;
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
						if (!e.getValue().isNumber() || e.getValue().asDouble() <= 0) {
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
			Solver solver = oneOf("model.solver", m.solver(), Map.of("adam", Solver.ADAM, "newton", Solver.NEWTON),
					Solver.ADAM);
			if (solver == Solver.NEWTON && family != ModelFamily.LINEAR) {
				problem("model.solver", "newton fits linear models only (family: linear); use adam for an mlp");
			}
			if (solver == Solver.NEWTON && task == Task.MULTICLASS_CLASSIFICATION) {
				problem("model.solver", "newton fits binary classification or regression; use adam for multiclass");
			}
			Hyperparameters hp = new Hyperparameters(epochs, batchSize, lr, wd, patience, valFraction, seed, classWeights,
					balanced, solver);

			Mode mode = oneOf("mode", y.mode(), Map.of("retrain", Mode.RETRAIN, "finetune", Mode.FINETUNE), Mode.RETRAIN);
			PipelineYaml.Finetune ft = (y.finetune() != null) ? y.finetune() : new PipelineYaml.Finetune(null, null);
			int ftEpochs = positive("finetune.epochs", ft.epochs(), Math.max(1, epochs / 4));
			double ftLr = positiveReal("finetune.learning-rate", ft.learningRate(), lr / 5);

			PipelineYaml.Validation v = (y.validation() != null) ? y.validation()
					: new PipelineYaml.Validation(null, null, null, null, null);
			ValidationRules rules = new ValidationRules(nonNegativeInt("validation.min-rows", v.minRows(), 100),
					nonNegativeInt("validation.min-rows-per-class", v.minRowsPerClass(), 10),
					fraction("validation.max-missing-rate", v.maxMissingRate(), 0.2),
					fraction("validation.max-unseen-category-rate", v.maxUnseenCategoryRate(), 0.2),
					nonNegativeInt("validation.min-holdout-rows", v.minHoldoutRows(), 20));

			PromotionPolicy promotion = promotion(y.promotion(), task, features);
			PipelineDefinition.Schedule schedule = schedule("schedule", y.schedule());
			boolean approval = y.promotion() != null && Boolean.TRUE.equals(oneOf("promotion.approval",
					y.promotion().approval(), Map.of("required", Boolean.TRUE, "none", Boolean.FALSE), Boolean.FALSE));
			PipelineDefinition.Retention retention = (y.retention() == null) ? new PipelineDefinition.Retention(null, null)
					: new PipelineDefinition.Retention(
							(y.retention().keepLast() != null) ? positive("retention.keep-last", y.retention().keepLast(), 1) : null,
							(y.retention().maxAgeDays() != null) ? positive("retention.max-age-days", y.retention().maxAgeDays(), 1)
									: null);
			DriftPolicy drift = drift(y.drift());
			if (!this.problems.isEmpty()) {
				throw new PipelineConfigInvalid(this.source, this.problems);
			}
			return new PipelineDefinition(name, y.description(), dataPath, windowDays, features, labelColumn, task,
					classes, holdouts, family, (family == ModelFamily.MLP) ? hidden : List.of(), hp, mode, ftEpochs, ftLr,
					rules, promotion, approval, schedule, drift, retention, this.source, this.hash);
		}

		private List<FeatureSpec> features(List<PipelineYaml.Feature> list) {
			List<FeatureSpec> features = new ArrayList<>();
			if (list == null || list.isEmpty()) {
				problem("features", "at least one feature is required");
				return features;
			}
			Set<String> seen = new HashSet<>();
			for (int i = 0; i < list.size(); i++) {
				PipelineYaml.Feature f = list.get(i);
				String at = "features[" + i + "]";
				if (f == null || f.name() == null || f.name().isBlank()) {
					problem(at + ".name", "is required");
					continue;
				}
				if (!seen.add(f.name())) {
					problem(at + ".name", "'" + f.name() + "' is listed twice");
				}
				FeatureSpec.FeatureType type = oneOf(at + ".type", f.type(),
						Map.of("numeric", FeatureSpec.FeatureType.NUMERIC, "categorical", FeatureSpec.FeatureType.CATEGORICAL),
						null);
				if (f.type() == null) {
					problem(at + ".type", "is required (numeric or categorical)");
				}
				if (type == FeatureSpec.FeatureType.CATEGORICAL && (f.min() != null || f.max() != null)) {
					problem(at, "min/max only apply to numeric features");
				}
				if (f.min() != null && f.max() != null && f.min() > f.max()) {
					problem(at + ".min", "must not exceed max (" + f.min() + " > " + f.max() + ")");
				}
				if (type != null) {
					features.add(new FeatureSpec(f.name(), type, f.min(), f.max()));
				}
			}
			return features;
		}

		private List<HoldoutSpec> holdouts(List<PipelineYaml.Holdout> list) {
			if (list == null || list.isEmpty()) {
				return List.of(new HoldoutSpec("recent", HoldoutSpec.Type.OUT_OF_TIME, 7, 0, 0, null));
			}
			List<HoldoutSpec> holdouts = new ArrayList<>();
			Set<String> names = new HashSet<>();
			for (int i = 0; i < list.size(); i++) {
				PipelineYaml.Holdout h = list.get(i);
				String at = "holdouts[" + i + "]";
				String name = (h.name() != null) ? h.name() : "holdout" + i;
				if (!names.add(name)) {
					problem(at + ".name", "'" + name + "' is used twice");
				}
				HoldoutSpec.Type type = oneOf(at + ".type", h.type(), Map.of("out-of-time", HoldoutSpec.Type.OUT_OF_TIME,
						"random", HoldoutSpec.Type.RANDOM, "golden", HoldoutSpec.Type.GOLDEN), HoldoutSpec.Type.OUT_OF_TIME);
				if (type == null) {
					continue;
				}
				switch (type) {
					case OUT_OF_TIME -> holdouts.add(new HoldoutSpec(name, type, positive(at + ".days", h.days(), 7), 0, 0, null));
					case RANDOM -> {
						double f = (h.fraction() != null) ? h.fraction() : 0.2;
						if (f <= 0 || f >= 0.9) {
							problem(at + ".fraction", "must be in (0, 0.9), was " + f);
						}
						holdouts.add(new HoldoutSpec(name, type, 0, f, (h.seed() != null) ? h.seed() : 7L, null));
					}
					case GOLDEN -> holdouts.add(new HoldoutSpec(name, type, 0, 0, 0, require(at + ".path", h.path())));
				}
			}
			return holdouts;
		}

		private PromotionPolicy promotion(PipelineYaml.Promotion p, Task task, List<FeatureSpec> features) {
			Metric fallback = (task == Task.REGRESSION) ? Metric.RMSE : Metric.ROC_AUC;
			if (p == null) {
				return new PromotionPolicy(fallback, null, 0.0, false, List.of(), null, FirstRun.PROMOTE_IF_MIN_VALUE);
			}
			Metric metric = metric("promotion.metric", p.metric(), fallback, task);
			double minImprovement = nonNegative("promotion.min-improvement", p.minImprovement(), 0.0);
			boolean relative = Boolean.TRUE.equals(oneOf("promotion.improvement", p.improvement(),
					Map.of("absolute", Boolean.FALSE, "relative", Boolean.TRUE), Boolean.FALSE));
			List<Guard> guards = new ArrayList<>();
			if (p.guards() != null) {
				for (int i = 0; i < p.guards().size(); i++) {
					PipelineYaml.Guard g = p.guards().get(i);
					Metric gm = metric("promotion.guards[" + i + "].metric", g.metric(), null, task);
					if (g.metric() == null) {
						problem("promotion.guards[" + i + "].metric", "is required");
					}
					double bound = nonNegative("promotion.guards[" + i + "].max-regression", g.maxRegression(), 0.0);
					if (gm != null) {
						guards.add(new Guard(gm, bound));
					}
				}
			}
			SliceRule slices = null;
			if (p.slices() != null) {
				String column = require("promotion.slices.column", p.slices().column());
				if (column != null && features.stream()
					.noneMatch(f -> f.name().equals(column) && f.type() == FeatureSpec.FeatureType.CATEGORICAL)) {
					problem("promotion.slices.column", "'" + column + "' must be one of the categorical features");
				}
				slices = new SliceRule(column, nonNegative("promotion.slices.max-regression", p.slices().maxRegression(), 0.05),
						positive("promotion.slices.min-rows", p.slices().minRows(), 30));
			}
			FirstRun firstRun = oneOf("promotion.first-run", p.firstRun(), Map.of("promote", FirstRun.PROMOTE,
					"promote-if-min-value", FirstRun.PROMOTE_IF_MIN_VALUE, "hold", FirstRun.HOLD),
					FirstRun.PROMOTE_IF_MIN_VALUE);
			double tolerance = nonNegative("promotion.tolerance", p.tolerance(), 0.0);
			if (tolerance > 0 && minImprovement > 0) {
				problem("promotion.tolerance", "a tolerance and a min-improvement exclude each other");
			}
			return new PromotionPolicy(metric, p.minValue(), minImprovement, relative, guards, slices, firstRun, tolerance);
		}

		private PipelineDefinition.Schedule schedule(String field, PipelineYaml.Schedule s) {
			if (s == null) {
				return null;
			}
			String cron = require(field + ".cron", s.cron());
			if (cron != null && !CronExpression.isValidExpression(cron)) {
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
			String zone = (s.timeZone() != null) ? s.timeZone() : "UTC";
			try {
				ZoneId.of(zone);
			}
			catch (DateTimeException ex) {
				problem(field + ".time-zone", "'" + zone + "' is not a time zone id (e.g. UTC, Europe/Berlin)");
			}
			return new PipelineDefinition.Schedule(cron, zone);
		}

		private DriftPolicy drift(PipelineYaml.Drift d) {
			PipelineYaml.Drift y = (d != null) ? d
					: new PipelineYaml.Drift(null, null, null, null, null, null, null, null, null, null, null, null);
			List<DriftPolicy.Signal> signals = new ArrayList<>();
			List<String> triggerOn = (y.triggerOn() != null) ? y.triggerOn() : List.of("input", "prediction", "performance");
			for (int i = 0; i < triggerOn.size(); i++) {
				DriftPolicy.Signal s = oneOf("drift.trigger-on[" + i + "]", triggerOn.get(i), Map.of("input",
						DriftPolicy.Signal.INPUT, "prediction", DriftPolicy.Signal.PREDICTION, "performance",
						DriftPolicy.Signal.PERFORMANCE), null);
				if (s != null) {
					signals.add(s);
				}
			}
			return new DriftPolicy(schedule("drift.schedule", y.schedule()), positive("drift.current-days", y.currentDays(), 1),
					positive("drift.min-rows", y.minRows(), 100),
					check("drift.alpha", y.alpha(), 0.01, v -> v > 0 && v < 0.5, "must be in (0, 0.5)"),
					check("drift.min-drifted-share", y.minDriftedShare(), 0.3, v -> v > 0 && v <= 1, "must be in (0, 1]"),
					nonNegative("drift.numeric-effect-floor", y.numericEffectFloor(), 0.1),
					nonNegative("drift.categorical-effect-floor", y.categoricalEffectFloor(), 0.05),
					nonNegative("drift.performance-floor", y.performanceFloor(), 0.02), List.copyOf(signals),
					Boolean.TRUE.equals(oneOf("drift.combine", y.combine(), Map.of("any", Boolean.FALSE, "all", Boolean.TRUE),
							Boolean.FALSE)),
					nonNegative("drift.cooldown-hours", y.cooldownHours(), 24.0),
					oneOf("drift.on-new-partition", y.onNewPartition(), Map.of("none", DriftPolicy.OnNewPartition.NONE,
							"check", DriftPolicy.OnNewPartition.CHECK, "retrain", DriftPolicy.OnNewPartition.RETRAIN),
							DriftPolicy.OnNewPartition.NONE));
		}

		private Metric metric(String field, String value, Metric fallback, Task task) {
			if (value == null) {
				return fallback;
			}
			Map<String, Metric> all = new LinkedHashMap<>();
			for (Metric m : Metric.values()) {
				all.put(m.key(), m);
			}
			Metric m = oneOf(field, value, all, fallback);
			if (m != null && task != null && !m.appliesTo(task)) {
				problem(field, "'" + value + "' does not apply to a " + task.name().toLowerCase(Locale.ROOT) + " task");
			}
			return m;
		}

		private <T> T oneOf(String field, String value, Map<String, T> allowed, T fallback) {
			if (value == null) {
				return fallback;
			}
			T t = allowed.get(value.trim().toLowerCase(Locale.ROOT));
			if (t == null) {
				problem(field, "'" + value + "' is not one of " + allowed.keySet().stream().sorted().toList());
			}
			return t;
		}

		private <T> T require(String field, T value) {
			if (value == null || (value instanceof String s && s.isBlank())) {
				problem(field, "is required");
			}
			return value;
		}

		private int positive(String field, Integer value, int fallback) {
			return check(field, value, fallback, v -> v >= 1, "must be >= 1");
		}

		private int nonNegativeInt(String field, Integer value, int fallback) {
			return check(field, value, fallback, v -> v >= 0, "must be >= 0");
		}

		private double positiveReal(String field, Double value, double fallback) {
			return check(field, value, fallback, v -> v > 0 && Double.isFinite(v), "must be a number > 0");
		}

		private double nonNegative(String field, Double value, double fallback) {
			return check(field, value, fallback, v -> v >= 0 && Double.isFinite(v), "must be a number >= 0");
		}

		private double fraction(String field, Double value, double fallback) {
			return check(field, value, fallback, v -> v >= 0 && v <= 1, "must be between 0 and 1");
		}

		private <T> T check(String field, T value, T fallback, Function<T, Boolean> ok, String rule) {
			if (value == null) {
				return fallback;
			}
			if (!ok.apply(value)) {
				problem(field, rule + ", was " + value);
				return fallback;
			}
			return value;
		}

		private void problem(String field, String reason) {
			this.problems.add(new ConfigProblem(field, reason));
		}

	}

}

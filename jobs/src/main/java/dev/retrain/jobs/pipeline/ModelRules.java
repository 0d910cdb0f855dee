package dev.retrain.jobs.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;

import dev.retrain.models.features.Task;
import dev.retrain.models.plugins.ModelFactory;
import dev.retrain.models.plugins.ModelPlugins;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.ModelSource;
import dev.retrain.models.training.Solver;

/**
 * The model section: a built-in family or an installed plugin (whose own checks of
 * {@code model.params} are reported with the rest), no hidden layers on a linear model,
 * class weights ({@code balanced} or positive numbers, classification only), a solver
 * that fits the family and the task; and fine-tuning, whose defaults depend on the model.
 */
final class ModelRules {

	/** The built-in families as a file writes them; {@code logistic} is linear. */
	private static final Map<String, ModelFamily> BUILT_IN = new TreeMap<>(Map.of("linear", ModelFamily.LINEAR,
			"logistic", ModelFamily.LINEAR, "mlp", ModelFamily.MLP, "torchscript", ModelFamily.TORCHSCRIPT));

	private ModelRules() {
	}

	static PipelineDefinition.Model model(PipelineYaml.Model m, Task task, PipelineRules.Problems problems) {
		String name = m.family().strip().toLowerCase(Locale.ROOT);
		ModelFamily family = BUILT_IN.get(name);
		ModelPlugins.Plugin plugin = (family == null) ? ModelPlugins.installed().get(name) : null;
		if (plugin != null) {
			family = ModelFamily.PLUGIN;
			pluginRules(m, plugin, task, problems);
		}
		else if (family == null) {
			Map<String, ModelPlugins.Plugin> installed = ModelPlugins.installed().plugins();
			problems.add("model.family", "'" + m.family() + "' is not one of " + BUILT_IN.keySet()
					+ " nor an installed plugin (" + (installed.isEmpty()
							? "no plugins are installed: see retrain.plugins-dir" : "installed: " + installed.keySet())
					+ ")");
			family = ModelFamily.MLP;
		}
		if (family != ModelFamily.PLUGIN && m.params() != null) {
			problems.add("model.params", "only applies to a plugin's family (this model is " + name + ")");
		}
		if (family == ModelFamily.LINEAR && m.hiddenLayers() != null && !m.hiddenLayers().isEmpty()) {
			problems.add("model.hidden-layers", "a linear model has no hidden layers (use family: mlp)");
		}
		if (family == ModelFamily.TORCHSCRIPT && m.hiddenLayers() != null) {
			problems.add("model.hidden-layers", "a TorchScript model's layers are in its module file, not here");
		}
		if (family == ModelFamily.TORCHSCRIPT && (m.torchscript() == null || m.torchscript().isBlank())) {
			problems.add("model.torchscript", "is required for family torchscript: the module file (a path, absolute "
					+ "or relative to the data directory, or an s3:// URI) that torch.jit.save wrote");
		}
		if (family != ModelFamily.TORCHSCRIPT && m.torchscript() != null) {
			problems.add("model.torchscript", "only applies to family torchscript (this model is "
					+ family.name().toLowerCase(Locale.ROOT) + ")");
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
						problems.add("model.class-weights." + e.getKey(),
								"must be a positive number, was " + e.getValue());
					}
					else {
						classWeights.put(e.getKey(), e.getValue().asDouble());
					}
				}
			}
			else {
				problems.add("model.class-weights", "must be 'balanced' or a map of class to weight, was " + cw);
			}
			if (task == Task.REGRESSION) {
				problems.add("model.class-weights", "only applies to classification");
			}
		}
		if (m.solver() == Solver.NEWTON && family != ModelFamily.LINEAR) {
			problems.add("model.solver",
					"newton fits linear models only (family: linear); use adam for an mlp or a " + "TorchScript model");
		}
		if (m.solver() == Solver.NEWTON && task == Task.MULTICLASS_CLASSIFICATION) {
			problems.add("model.solver", "newton fits binary classification or regression; use adam for multiclass");
		}
		Hyperparameters hp = new Hyperparameters(m.epochs(), m.batchSize(), m.learningRate(), m.weightDecay(),
				m.earlyStopping().patience(), m.earlyStopping().validationFraction(), m.seed(), classWeights, balanced,
				m.solver());
		ModelSource source = (family == ModelFamily.TORCHSCRIPT && m.torchscript() != null)
				? new ModelSource(m.torchscript().strip(), null)
				: (family == ModelFamily.PLUGIN) ? ModelSource.plugin(name, m.params()) : null;
		return new PipelineDefinition.Model(family, (family == ModelFamily.MLP) ? m.layers() : List.of(), hp, source);
	}

	/**
	 * A plugin's model: its parameters as its factory checks them (each problem as
	 * {@code model.params.<parameter>}), no hidden layers (the plugin builds its layers).
	 */
	private static void pluginRules(PipelineYaml.Model m, ModelPlugins.Plugin plugin, Task task,
			PipelineRules.Problems problems) {
		if (m.hiddenLayers() != null) {
			problems.add("model.hidden-layers", "plugin " + plugin.name()
					+ " builds its own layers: its settings are model.params (see the plugin's documentation)");
		}
		if (task == null) {
			// the label's problem is reported; the plugin is asked once the task is known
			return;
		}
		List<ModelFactory.Problem> found;
		try {
			found = plugin.factory().validate(task, (m.params() != null) ? m.params() : Map.of());
		}
		catch (RuntimeException ex) {
			problems.add("model.params", "plugin " + plugin.name() + " (" + plugin.jar()
					+ ") failed while checking them: " + ex.getClass().getSimpleName());
			return;
		}
		for (ModelFactory.Problem p : (found != null) ? found : List.<ModelFactory.Problem>of()) {
			problems.add((p.parameter() != null && !p.parameter().isBlank()) ? "model.params." + p.parameter()
					: "model.params", p.message());
		}
	}

	/** Fine-tuning: by default a quarter of the epochs, a fifth of the learning rate. */
	static PipelineDefinition.Training training(PipelineDefinition.Mode mode, PipelineYaml.Finetune f,
			PipelineDefinition.Model model) {
		Hyperparameters hp = model.hyperparameters();
		return new PipelineDefinition.Training(mode, (f.epochs() != null) ? f.epochs() : Math.max(1, hp.epochs() / 4),
				(f.learningRate() != null) ? f.learningRate() : hp.learningRate() / 5);
	}

}

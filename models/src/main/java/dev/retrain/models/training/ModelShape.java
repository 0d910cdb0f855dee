package dev.retrain.models.training;

import java.util.List;
import java.util.Locale;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.plugins.ModelInputs;
import dev.retrain.models.plugins.ModelPlugins;

/**
 * Everything needed to rebuild the network's structure before loading parameters; for a
 * TorchScript model the structure is in the module file itself, and {@code source} says
 * which file a retrain starts from; for a plugin, {@code source} names the plugin, its
 * jar and parameters (null for the built-in families).
 */
public record ModelShape(Task task, ModelFamily family, List<Integer> hiddenLayers, int inputs, int outputs,
		ModelSource source) {

	public ModelShape {
		hiddenLayers = (family == ModelFamily.MLP) ? List.copyOf(hiddenLayers) : List.of();
	}

	public ModelShape(Task task, ModelFamily family, List<Integer> hiddenLayers, int inputs, int outputs) {
		this(task, family, hiddenLayers, inputs, outputs, null);
	}

	public boolean isTorchScript() {
		return this.family == ModelFamily.TORCHSCRIPT;
	}

	/**
	 * What kind of model this is and where its code comes from, for people: e.g.
	 * {@code mlp [32, 16], 17 inputs, 1 output} or
	 * {@code TorchScript module modules/churn.pt (SHA-256 1a2b3c4d5e6f), 17 inputs, 1 output}.
	 */
	public String describe() {
		String io = ", " + this.inputs + " inputs, " + this.outputs + ((this.outputs == 1) ? " output" : " outputs");
		return switch (this.family) {
			case LINEAR -> "linear" + io;
			case MLP -> "mlp " + this.hiddenLayers + io;
			case TORCHSCRIPT -> "TorchScript module " + ((this.source != null) ? this.source.location() : "?")
					+ ((this.source != null && this.source.sha256() != null)
							? " (SHA-256 " + this.source.sha256().substring(0, 12) + ")" : "")
					+ io;
			case PLUGIN -> "plugin "
					+ ((this.source != null)
							? this.source.plugin() + " " + this.source.version() + " (" + this.source.location()
									+ ((this.source.sha256() != null)
											? ", SHA-256 " + this.source.sha256().substring(0, 12) : "")
									+ ")"
							: "?")
					+ io;
		};
	}

	public boolean isPlugin() {
		return this.family == ModelFamily.PLUGIN;
	}

	/** The same shape with its source's SHA-256 as trained. */
	public ModelShape withSource(ModelSource source) {
		return new ModelShape(this.task, this.family, this.hiddenLayers, this.inputs, this.outputs, source);
	}

	/**
	 * A new, uninitialised block of a built-in family, or a plugin's: built by the
	 * {@link ModelPlugins#installed() installed} plugin of that name, refused
	 * ({@link dev.retrain.models.plugins.PluginUnavailable}) when it is absent or its jar
	 * is not the one recorded. A TorchScript model is not built: it is loaded from its
	 * file ({@link TorchScriptModules#load}).
	 */
	public Block newBlock() {
		if (isTorchScript()) {
			throw new IllegalStateException("a TorchScript model is loaded from its module file, not built");
		}
		if (isPlugin()) {
			return ModelPlugins.installed()
				.require(this.source.plugin(), this.source.version(), this.source.location(), this.source.sha256())
				.build(pluginInputs(), this.source.params());
		}
		SequentialBlock net = new SequentialBlock();
		for (int units : this.hiddenLayers) {
			net.add(Linear.builder().setUnits(units).build());
			net.add(Activation.reluBlock());
		}
		net.add(Linear.builder().setUnits(this.outputs).build());
		return net;
	}

	/**
	 * A plugin's shape for a training from scratch on rows of these encodings: with the
	 * jar, SHA-256 and version of the {@link ModelPlugins#installed() installed} plugin
	 * of its name and the layout of the rows, as the version records them. Refused with a
	 * {@link TrainingFailed} when no plugin of that name is installed.
	 */
	public ModelShape withInstalledPlugin(List<FeatureEncoding> encodings) {
		ModelPlugins.Plugin p = ModelPlugins.installed().get(this.source.plugin());
		if (p == null) {
			throw new TrainingFailed("plugin '" + this.source.plugin() + "' is not installed in this process ("
					+ "retrain.plugins-dir): every node and worker that trains or scores this model needs its jar");
		}
		return withSource(this.source.withJar(p.jar(), p.sha256(), p.version(), ModelInputs.layout(encodings)));
	}

	/**
	 * What a process needs to load a version of this shape, in one line of ASCII: the
	 * built-in family, or the plugin's name and version, jar and its SHA-256.
	 */
	public String requires() {
		String text = isPlugin()
				? "plugin " + this.source.plugin() + " version " + this.source.version() + " from "
						+ this.source.location() + " (SHA-256 " + this.source.sha256() + ")"
				: isTorchScript() ? "TorchScript: torch.jit.load, or DJL's PyTorch engine (no plugin)"
						: "built-in " + this.family.name().toLowerCase(Locale.ROOT);
		return text.chars()
			.map(c -> (c >= 0x20 && c < 0x7f) ? c : '?')
			.collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
			.toString();
	}

	/** What a plugin's block is built for. */
	public ModelInputs pluginInputs() {
		if (this.source == null || this.source.layout() == null) {
			throw new IllegalStateException("a plugin's shape needs the layout of its inputs");
		}
		return new ModelInputs(this.task, this.inputs, this.outputs, this.source.layout());
	}

}

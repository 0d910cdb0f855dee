package dev.retrain.models.training;

import java.util.List;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;

import dev.retrain.models.features.Task;

/**
 * Everything needed to rebuild the network's structure before loading parameters; for a
 * TorchScript model the structure is in the module file itself, and {@code source} says
 * which file a retrain starts from (null for the built-in families).
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
		};
	}

	/** The same shape with its source's SHA-256 as trained. */
	public ModelShape withSource(ModelSource source) {
		return new ModelShape(this.task, this.family, this.hiddenLayers, this.inputs, this.outputs, source);
	}

	/**
	 * A new, uninitialised block of a built-in family. A TorchScript model is not built:
	 * it is loaded from its file ({@link TorchScriptModules#load}).
	 */
	public Block newBlock() {
		if (isTorchScript()) {
			throw new IllegalStateException("a TorchScript model is loaded from its module file, not built");
		}
		SequentialBlock net = new SequentialBlock();
		for (int units : this.hiddenLayers) {
			net.add(Linear.builder().setUnits(units).build());
			net.add(Activation.reluBlock());
		}
		net.add(Linear.builder().setUnits(this.outputs).build());
		return net;
	}

}

package dev.retrain.models.training;

/** The network families a pipeline can train. */
public enum ModelFamily {

	/**
	 * Logistic regression (binary), softmax regression (multiclass) or linear regression:
	 * one dense layer.
	 */
	LINEAR,
	/** A multi-layer perceptron with ReLU hidden layers. */
	MLP,
	/**
	 * The user's own PyTorch module, exported with {@code torch.jit.script} or
	 * {@code torch.jit.trace} ({@link TorchScriptModules}): loaded from its file with
	 * trainable parameters, trained as the built-in families are, stored as TorchScript.
	 */
	TORCHSCRIPT,
	/**
	 * A DJL block built in Java by a plugin's {@code ModelFactory}, found in the
	 * operator's plugin directory ({@code dev.retrain.models.plugins.ModelPlugins}); the
	 * shape's source names the plugin, its jar and parameters.
	 */
	PLUGIN

}

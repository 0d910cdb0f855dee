package dev.retrain.models.training;

/** The network families a pipeline can train. */
public enum ModelFamily {

	/**
	 * Logistic regression (binary), softmax regression (multiclass) or linear regression:
	 * one dense layer.
	 */
	LINEAR,
	/** A multi-layer perceptron with ReLU hidden layers. */
	MLP

}

package dev.retrain.models.features;

/** What the model predicts. */
public enum Task {

	BINARY_CLASSIFICATION, MULTICLASS_CLASSIFICATION, REGRESSION;

	public boolean isClassification() {
		return this != REGRESSION;
	}

}

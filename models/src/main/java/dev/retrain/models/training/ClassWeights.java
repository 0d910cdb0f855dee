package dev.retrain.models.training;

import java.util.List;

/** Per-row weights from configured class weights, or balanced ones ({@code n / (k * count(class))}). */
public final class ClassWeights {

	private ClassWeights() {
	}

	/** Null when no weighting is configured (all rows weigh 1). */
	public static float[] rowWeights(double[] classIndex, List<String> classes, Hyperparameters hp) {
		if (classes == null || (!hp.balancedClassWeights() && (hp.classWeights() == null || hp.classWeights().isEmpty()))) {
			return null;
		}
		double[] perClass = new double[classes.size()];
		if (hp.balancedClassWeights()) {
			long[] counts = new long[classes.size()];
			for (double c : classIndex) {
				counts[(int) c]++;
			}
			for (int k = 0; k < perClass.length; k++) {
				perClass[k] = (counts[k] > 0) ? (double) classIndex.length / (classes.size() * counts[k]) : 0.0;
			}
		}
		else {
			for (int k = 0; k < perClass.length; k++) {
				perClass[k] = hp.classWeights().getOrDefault(classes.get(k), 1.0);
			}
		}
		float[] w = new float[classIndex.length];
		for (int i = 0; i < w.length; i++) {
			w[i] = (float) perClass[(int) classIndex[i]];
		}
		return w;
	}

}

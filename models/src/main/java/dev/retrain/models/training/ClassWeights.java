package dev.retrain.models.training;

import java.util.Arrays;
import java.util.List;

/** Per-row weights from configured or balanced class weights. */
public final class ClassWeights {

	private ClassWeights() {
	}

	/** Null when no weighting is configured (all rows weigh 1). */
	public static float[] rowWeights(double[] classIndex, List<String> classes, Hyperparameters hp) {
		if (!configured(classes, hp)) {
			return null;
		}
		long[] counts = new long[classes.size()];
		for (double c : classIndex) {
			counts[(int) c]++;
		}
		double[] perClass = perClass(counts, classes, hp);
		float[] w = new float[classIndex.length];
		for (int i = 0; i < w.length; i++) {
			w[i] = (float) perClass[(int) classIndex[i]];
		}
		return w;
	}

	/** Whether rows are weighted at all. */
	public static boolean configured(List<String> classes, Hyperparameters hp) {
		return classes != null
				&& (hp.balancedClassWeights() || (hp.classWeights() != null && !hp.classWeights().isEmpty()));
	}

	/**
	 * Weight per class index: configured, or {@code rows / (classes * count)} when
	 * balanced.
	 */
	public static double[] perClass(long[] counts, List<String> classes, Hyperparameters hp) {
		double[] perClass = new double[classes.size()];
		long rows = Arrays.stream(counts).sum();
		for (int k = 0; k < perClass.length; k++) {
			perClass[k] = hp.balancedClassWeights()
					? ((counts[k] > 0) ? (double) rows / (classes.size() * counts[k]) : 0.0)
					: hp.classWeights().getOrDefault(classes.get(k), 1.0);
		}
		return perClass;
	}

}

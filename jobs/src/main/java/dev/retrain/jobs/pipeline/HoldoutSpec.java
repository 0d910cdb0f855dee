package dev.retrain.jobs.pipeline;

/**
 * A holdout set: the most recent {@code days} of the window (out-of-time), a seeded
 * random {@code fraction} of the window's rows, or a fixed "golden" dataset at
 * {@code path}.
 */
public record HoldoutSpec(String name, Type type, int days, double fraction, long seed, String path) {

	public enum Type {

		OUT_OF_TIME, RANDOM, GOLDEN

	}

}

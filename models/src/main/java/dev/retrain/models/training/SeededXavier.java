package dev.retrain.models.training;

import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * Xavier initialisation as DJL's default {@code XavierInitializer} draws it (uniform in
 * +-sqrt(6 / ((fanIn + fanOut) / 2))), but from a generator of this training's own,
 * seeded with its seed. DJL's initialiser draws from the engine's one random generator,
 * which {@code Engine.setRandomSeed} seeds for the whole process: two trainings at once
 * (candidates on threads, a backtest beside a run) took each other's draws, and a rerun
 * with the same seed could start from other weights. Parameters are initialised in the
 * block's fixed order, so the same seed gives the same weights whatever else runs.
 */
final class SeededXavier implements Initializer {

	private final SplittableRandom random;

	SeededXavier(long seed) {
		this.random = new SplittableRandom(seed);
	}

	@Override
	public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
		long size = shape.size();
		long fanOut = (shape.dimension() > 0) ? shape.get(0) : 1;
		long fanIn = (fanOut > 0) ? size / fanOut : size;
		double scale = Math.sqrt(6.0 / ((fanIn + fanOut) / 2.0));
		float[] values = new float[Math.toIntExact(size)];
		for (int i = 0; i < values.length; i++) {
			values[i] = (float) ((this.random.nextDouble() * 2 - 1) * scale);
		}
		return manager.create(values, shape).toType(dataType, false);
	}

}

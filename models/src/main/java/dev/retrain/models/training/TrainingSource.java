package dev.retrain.models.training;

/**
 * The rows a model trains on, visited in batches: held in memory ({@link TrainingData})
 * or streamed from Parquet row groups ({@link ParquetTrainingSource}) when the window
 * does not fit in the heap. The trainer sees only batches, so both train the same way.
 */
public interface TrainingSource {

	/** Encoded floats per row. */
	int width();

	long rowCount();

	/**
	 * Whether rows carry weights (class weights); unweighted sources leave the weight
	 * buffer untouched.
	 */
	boolean weighted();

	/**
	 * Divides the rows into a training and a validation part, deterministically from the
	 * seed.
	 */
	Split split(double validationFraction, long seed);

	/**
	 * Receives one batch: {@code n} rows of {@code x} (row-major), targets and (when
	 * weighted) weights.
	 */
	@FunctionalInterface
	interface BatchVisitor {

		void batch(float[] x, double[] targets, float[] weights, int n);

	}

	/**
	 * One division of the rows into the part trained on and the part held out for early
	 * stopping.
	 */
	interface Split {

		long trainRows();

		long validationRows();

		/**
		 * Visits one part in batches of at most {@code batchSize} rows. With
		 * {@code shuffleSeed} not null the order is shuffled from it (in memory: a full
		 * permutation; streamed: row groups in a shuffled order, rows shuffled within
		 * each group); otherwise rows come in source order. Buffers are reused between
		 * calls of the visitor.
		 */
		void visit(boolean validation, int batchSize, Long shuffleSeed, BatchVisitor visitor);

	}

}

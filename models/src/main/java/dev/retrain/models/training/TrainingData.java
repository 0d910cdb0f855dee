package dev.retrain.models.training;

import java.util.Arrays;
import java.util.Random;

/**
 * Encoded rows in memory (row-major, {@code width} floats per row), targets and per-row
 * weights (null: all 1).
 */
public record TrainingData(float[] features, double[] targets, float[] weights, int rows,
		int width) implements TrainingSource {

	public TrainingData {
		if (features.length != (long) rows * width || targets.length != rows
				|| (weights != null && weights.length != rows)) {
			throw new IllegalArgumentException("inconsistent training data: " + rows + " rows x " + width);
		}
	}

	@Override
	public long rowCount() {
		return this.rows;
	}

	@Override
	public boolean weighted() {
		return this.weights != null;
	}

	@Override
	public Split split(double validationFraction, long seed) {
		int val = (validationFraction > 0)
				? (int) Math.min(this.rows - 1, Math.max(1, Math.round(this.rows * validationFraction))) : 0;
		int[] valRows;
		int[] trainRows;
		if (val == 0) {
			// every row trains, in row order: what shuffling and sorting them would give
			valRows = new int[0];
			trainRows = identity(this.rows);
		}
		else {
			// the first val rows of the seeded shuffle validate; the rest train, both in
			// row order (marked, not sorted: linear in the rows)
			int[] all = shuffled(identity(this.rows), seed);
			valRows = Arrays.copyOfRange(all, 0, val);
			Arrays.sort(valRows);
			boolean[] validating = new boolean[this.rows];
			for (int r : valRows) {
				validating[r] = true;
			}
			trainRows = new int[this.rows - val];
			int k = 0;
			for (int r = 0; r < this.rows; r++) {
				if (!validating[r]) {
					trainRows[k++] = r;
				}
			}
		}
		return new Split() {

			@Override
			public long trainRows() {
				return trainRows.length;
			}

			@Override
			public long validationRows() {
				return valRows.length;
			}

			@Override
			public void visit(boolean validation, int batchSize, Long shuffleSeed, BatchVisitor visitor) {
				int[] part = validation ? valRows : trainRows;
				visitRows((shuffleSeed != null) ? shuffled(part, shuffleSeed) : part, batchSize, visitor);
			}
		};
	}

	private void visitRows(int[] order, int batchSize, BatchVisitor visitor) {
		int n0 = Math.min(batchSize, order.length);
		float[] x = new float[n0 * this.width];
		double[] y = new double[n0];
		float[] w = (this.weights != null) ? new float[n0] : null;
		for (int start = 0; start < order.length; start += batchSize) {
			int n = Math.min(batchSize, order.length - start);
			for (int i = 0; i < n; i++) {
				int row = order[start + i];
				System.arraycopy(this.features, row * this.width, x, i * this.width, this.width);
				y[i] = this.targets[row];
				if (w != null) {
					w[i] = this.weights[row];
				}
			}
			visitor.batch(x, y, w, n);
		}
	}

	static int[] identity(int n) {
		int[] a = new int[n];
		for (int i = 0; i < n; i++) {
			a[i] = i;
		}
		return a;
	}

	/**
	 * Fisher-Yates with a seeded {@link Random}: the same seed gives the same order on
	 * every JVM.
	 */
	static int[] shuffled(int[] rows, long seed) {
		int[] a = rows.clone();
		shuffle(a, a.length, new Random(seed));
		return a;
	}

	/** Shuffles the first {@code n} entries in place. */
	static void shuffle(int[] a, int n, Random random) {
		for (int i = n - 1; i > 0; i--) {
			int j = random.nextInt(i + 1);
			int t = a[i];
			a[i] = a[j];
			a[j] = t;
		}
	}

}

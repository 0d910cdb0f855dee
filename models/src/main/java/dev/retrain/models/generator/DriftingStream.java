package dev.retrain.models.generator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Optional;
import java.util.SplittableRandom;

import dev.retrain.models.dataset.ParquetTableWriter;

/**
 * Writes a synthetic stream with concept drift as daily Parquet partitions
 * ({@code <root>/dt=YYYY-MM-DD/part-0.parquet}), as {@link SampleDataGenerator} does: SEA
 * concepts or a rotating hyperplane ({@link StreamSpec.Kind}), the concept changing
 * abruptly or gradually at the spec's drift days. The inputs never move, only their
 * relation to the label, so a model trained before a drift loses accuracy after it. Each
 * day's rows derive from the seed and the day alone: the same spec writes the same files.
 */
public final class DriftingStream {

	/** SEA's thresholds, concept after concept (then again from the first). */
	static final double[] SEA_THETAS = { 8.0, 9.0, 7.0, 9.5 };

	static final int HYPERPLANE_FEATURES = 5;

	private final StreamSpec spec;

	public DriftingStream(StreamSpec spec) {
		this.spec = spec;
	}

	/** Writes every day of the stream under {@code root}. */
	public void write(Path root) throws IOException {
		for (int d = 0; d < this.spec.days(); d++) {
			writeDay(root, d);
		}
	}

	/**
	 * The first day of the stream that {@code root} already holds a partition of, if any:
	 * writing would mix two streams in it.
	 */
	public Optional<LocalDate> firstPresent(Path root) {
		for (int d = 0; d < this.spec.days(); d++) {
			LocalDate day = this.spec.start().plusDays(d);
			if (Files.exists(root.resolve("dt=" + day))) {
				return Optional.of(day);
			}
		}
		return Optional.empty();
	}

	/**
	 * Where day {@code day} (from 0) stands between concepts: the concept before it plus
	 * the share of the way to the next one (0 for an abrupt drift, or before and after a
	 * gradual one).
	 */
	double conceptAt(int day) {
		double concept = 0;
		for (int at : this.spec.driftDays()) {
			if (day < at) {
				break;
			}
			if (this.spec.drift() == StreamSpec.Drift.GRADUAL) {
				concept += Math.min(1.0, (day - at + 1) / (double) (this.spec.widthDays() + 1));
			}
			else {
				concept += 1;
			}
		}
		return concept;
	}

	/**
	 * The label a row of concept {@code concept} gets, without noise: SEA uses the whole
	 * concept only, the hyperplane the weights between two.
	 */
	int label(double concept, double[] x) {
		if (this.spec.kind() == StreamSpec.Kind.SEA) {
			return (x[0] + x[1] <= SEA_THETAS[(int) concept % SEA_THETAS.length]) ? 1 : 0;
		}
		int k = (int) Math.floor(concept);
		double t = concept - k;
		double[] from = weights(k);
		double[] to = weights(k + 1);
		double dot = 0;
		double threshold = 0;
		for (int i = 0; i < x.length; i++) {
			double w = (1 - t) * from[i] + t * to[i];
			dot += w * x[i];
			threshold += w * 0.5;
		}
		return (dot >= threshold) ? 1 : 0;
	}

	/** The hyperplane's weights for concept {@code k}, in [-1, 1], from the seed. */
	double[] weights(int k) {
		SplittableRandom rnd = new SplittableRandom(this.spec.seed() * 31L + 7919L * (k + 1));
		double[] w = new double[HYPERPLANE_FEATURES];
		for (int i = 0; i < w.length; i++) {
			w[i] = 2 * rnd.nextDouble() - 1;
		}
		return w;
	}

	private void writeDay(Path root, int d) throws IOException {
		LocalDate day = this.spec.start().plusDays(d);
		SplittableRandom rnd = new SplittableRandom(this.spec.seed() * 1_000_003L + day.toEpochDay());
		int n = this.spec.rowsPerDay();
		boolean sea = this.spec.kind() == StreamSpec.Kind.SEA;
		int width = sea ? 3 : HYPERPLANE_FEATURES;
		double[][] columns = new double[width][n];
		int[] labels = new int[n];
		double concept = conceptAt(d);
		int before = (int) Math.floor(concept);
		double share = concept - before;
		double[] x = new double[width];
		for (int i = 0; i < n; i++) {
			for (int c = 0; c < width; c++) {
				x[c] = sea ? 10 * rnd.nextDouble() : rnd.nextDouble();
				columns[c][i] = x[c];
			}
			// in a gradual SEA drift each row is of the next concept with the share's
			// probability; the hyperplane rotates instead
			double rowConcept = (sea && share > 0) ? ((rnd.nextDouble() < share) ? before + 1 : before) : concept;
			int y = label(rowConcept, x);
			labels[i] = (rnd.nextDouble() < this.spec.noise()) ? 1 - y : y;
		}
		ParquetTableWriter w = new ParquetTableWriter();
		for (int c = 0; c < width; c++) {
			w.doubles(this.spec.columns().get(c), columns[c]);
		}
		w.ints(this.spec.columns().get(width), labels).write(root.resolve("dt=" + day).resolve("part-0.parquet"));
	}

}

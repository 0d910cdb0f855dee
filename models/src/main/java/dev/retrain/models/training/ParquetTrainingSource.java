package dev.retrain.models.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.LongPredicate;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.storage.Location;
import dev.retrain.models.storage.Storage;

/**
 * Training rows streamed from Parquet for windows that do not fit in the heap: row group
 * by row group, each decoded in slices of {@value #SLICE_ROWS} rows with all columns in
 * step. What is held at once is one row group's column chunks as stored (compressed), one
 * decoded slice and one batch of encoded floats, whatever the number of rows. An epoch
 * visits the row groups in an order shuffled from its seed and shuffles the rows within
 * each slice (a shuffle buffer of one slice, not a full permutation). Rows go to the
 * validation part by a hash of their position and the seed, so the split needs no index
 * arrays.
 *
 * <p>
 * Rows are numbered by their position in the window (files in order, row groups in
 * order); a row filter given to {@link #open} keeps only some of them (a run's training
 * rows, with its holdouts left out).
 *
 * <p>
 * {@link #open} makes one pass to learn the encodings (unless given) and, for balanced
 * class weights, the class counts.
 */
public final class ParquetTrainingSource implements TrainingSource {

	/** Rows decoded at a time from a row group. */
	static final int SLICE_ROWS = 65_536;

	private final ParquetTableReader reader;

	private final List<ParquetTableReader.RowGroup> groups;

	private final long[] firstRow;

	private final List<ColumnRequest> columns;

	private final FeatureEncoder encoder;

	private final LabelEncoding label;

	private final double[] classWeights;

	private final LongPredicate include;

	private final long rows;

	private ParquetTrainingSource(ParquetTableReader reader, List<ParquetTableReader.RowGroup> groups,
			List<ColumnRequest> columns, FeatureEncoder encoder, LabelEncoding label, double[] classWeights,
			LongPredicate include) {
		this.include = include;
		this.reader = reader;
		this.groups = groups;
		this.columns = columns;
		this.encoder = encoder;
		this.label = label;
		this.classWeights = classWeights;
		this.firstRow = new long[groups.size()];
		long at = 0;
		for (int g = 0; g < groups.size(); g++) {
			this.firstRow[g] = at;
			at += groups.get(g).rows();
		}
		long kept = 0;
		for (long r = 0; r < at; r++) {
			if (include.test(r)) {
				kept++;
			}
		}
		this.rows = kept;
	}

	/**
	 * @param encoder the encodings to use (a fine-tune keeps its parent's), or null to
	 * learn them from the rows
	 */
	public static ParquetTrainingSource open(Path root, List<DataFile> files, List<FeatureSpec> features,
			FeatureEncoder encoder, LabelEncoding label, Hyperparameters hp) {
		return open(root, files, features, encoder, label, hp, r -> true);
	}

	/**
	 * @param encoder the encodings to use (a fine-tune keeps its parent's), or null to
	 * learn them from the rows
	 * @param include which rows (by position in the window) to train on
	 */
	public static ParquetTrainingSource open(Path root, List<DataFile> files, List<FeatureSpec> features,
			FeatureEncoder encoder, LabelEncoding label, Hyperparameters hp, LongPredicate include) {
		return open(Storage.local(root), files, features, encoder, label, hp, include);
	}

	/**
	 * @param root a local directory or a prefix in object storage
	 */
	public static ParquetTrainingSource open(Location root, List<DataFile> files, List<FeatureSpec> features,
			FeatureEncoder encoder, LabelEncoding label, Hyperparameters hp, LongPredicate include) {
		ParquetTableReader reader = new ParquetTableReader(root);
		List<ColumnRequest> columns = new ArrayList<>();
		for (FeatureSpec f : features) {
			columns.add(f.isNumeric() ? ColumnRequest.numeric(f.name()) : ColumnRequest.string(f.name()));
		}
		columns.add((label.task() == Task.REGRESSION) ? ColumnRequest.numeric(label.column())
				: ColumnRequest.string(label.column()));
		List<ParquetTableReader.RowGroup> groups = reader.rowGroups(files);
		boolean weighted = ClassWeights.configured(label.classes(), hp);
		FeatureEncoder.Fitter fitter = (encoder == null) ? new FeatureEncoder.Fitter(features) : null;
		long[] classCounts = (label.classes() != null) ? new long[label.classes().size()] : null;
		if (fitter != null || (weighted && hp.balancedClassWeights())) {
			long[] next = { 0 };
			for (ParquetTableReader.RowGroup group : groups) {
				reader.read(group, columns, SLICE_ROWS, slice -> {
					Table part = kept(slice, next[0], include);
					next[0] += slice.rows();
					if (fitter != null) {
						fitter.add(part);
					}
					if (classCounts != null) {
						for (double c : label.encode(part)) {
							classCounts[(int) c]++;
						}
					}
				});
			}
		}
		FeatureEncoder enc = (fitter != null) ? fitter.encoder() : encoder;
		double[] weights = weighted ? ClassWeights.perClass(classCounts, label.classes(), hp) : null;
		return new ParquetTrainingSource(reader, groups, columns, enc, label, weights, include);
	}

	/**
	 * The rows of a slice starting at window position {@code first} that the filter
	 * keeps.
	 */
	private static Table kept(Table slice, long first, LongPredicate include) {
		int[] rows = new int[slice.rows()];
		int m = 0;
		for (int r = 0; r < slice.rows(); r++) {
			if (include.test(first + r)) {
				rows[m++] = r;
			}
		}
		return (m == slice.rows()) ? slice : slice.select(Arrays.copyOf(rows, m));
	}

	public FeatureEncoder encoder() {
		return this.encoder;
	}

	@Override
	public int width() {
		return this.encoder.width();
	}

	@Override
	public long rowCount() {
		return this.rows;
	}

	@Override
	public boolean weighted() {
		return this.classWeights != null;
	}

	/**
	 * Whether row {@code row} (position in the window) is held out for validation: a
	 * SplitMix64 hash of it and the seed.
	 */
	static boolean inValidation(long row, long seed, double fraction) {
		if (fraction <= 0) {
			return false;
		}
		long z = row * 0x9E3779B97F4A7C15L + seed;
		z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
		z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
		z = z ^ (z >>> 31);
		return (z >>> 11) * 0x1.0p-53 < fraction;
	}

	@Override
	public Split split(double validationFraction, long seed) {
		long val = 0;
		long positions = (this.groups.isEmpty()) ? 0
				: this.firstRow[this.groups.size() - 1] + this.groups.get(this.groups.size() - 1).rows();
		for (long r = 0; r < positions; r++) {
			if (this.include.test(r) && inValidation(r, seed, validationFraction)) {
				val++;
			}
		}
		long validationRows = val;
		return new Split() {

			@Override
			public long trainRows() {
				return ParquetTrainingSource.this.rows - validationRows;
			}

			@Override
			public long validationRows() {
				return validationRows;
			}

			@Override
			public void visit(boolean validation, int batchSize, Long shuffleSeed, BatchVisitor visitor) {
				stream(validation, validationFraction, seed, batchSize, shuffleSeed, visitor);
			}
		};
	}

	private void stream(boolean validation, double fraction, long seed, int batchSize, Long shuffleSeed,
			BatchVisitor visitor) {
		int[] order = TrainingData.identity(this.groups.size());
		Random random = (shuffleSeed != null) ? new Random(shuffleSeed) : null;
		if (random != null) {
			TrainingData.shuffle(order, order.length, random);
		}
		Batcher batcher = new Batcher(batchSize, visitor);
		for (int g : order) {
			long[] next = { this.firstRow[g] };
			this.reader.read(this.groups.get(g), this.columns, SLICE_ROWS, part -> {
				double[] targets = this.label.encode(part);
				int[] selected = new int[part.rows()];
				int m = 0;
				for (int r = 0; r < part.rows(); r++) {
					long at = next[0] + r;
					if (this.include.test(at) && inValidation(at, seed, fraction) == validation) {
						selected[m++] = r;
					}
				}
				next[0] += part.rows();
				if (random != null) {
					TrainingData.shuffle(selected, m, random);
				}
				batcher.add(part, targets, selected, m);
			});
		}
		batcher.flush();
	}

	/**
	 * Fills batches of exactly {@code batchSize} rows across slices (the last one may be
	 * short).
	 */
	private final class Batcher {

		private final int batchSize;

		private final BatchVisitor visitor;

		private final float[] x;

		private final double[] y;

		private final float[] w;

		private int filled;

		Batcher(int batchSize, BatchVisitor visitor) {
			this.batchSize = batchSize;
			this.visitor = visitor;
			this.x = new float[batchSize * width()];
			this.y = new double[batchSize];
			this.w = weighted() ? new float[batchSize] : null;
		}

		void add(Table part, double[] targets, int[] selected, int m) {
			for (int from = 0; from < m;) {
				int n = Math.min(this.batchSize - this.filled, m - from);
				ParquetTrainingSource.this.encoder.encodeRows(part, selected, from, n, this.x, this.filled);
				for (int i = 0; i < n; i++) {
					int r = selected[from + i];
					this.y[this.filled + i] = targets[r];
					if (this.w != null) {
						this.w[this.filled + i] = (float) ParquetTrainingSource.this.classWeights[(int) targets[r]];
					}
				}
				this.filled += n;
				from += n;
				if (this.filled == this.batchSize) {
					flush();
				}
			}
		}

		void flush() {
			if (this.filled > 0) {
				this.visitor.batch(this.x, this.y, this.w, this.filled);
				this.filled = 0;
			}
		}

	}

}

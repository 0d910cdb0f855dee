package dev.retrain.jobs.retrain;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import dev.retrain.jobs.pipeline.HoldoutSpec;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.DataValidationFailed;

/**
 * Which rows of a run's window train and which belong to each holdout, made from the
 * snapshot's files and row counts alone, without reading any data.
 * <p>
 * Rows are numbered by their position in the window: files in snapshot order, rows in
 * file order. Out-of-time holdouts take the last N days of the window, random ones a
 * seeded fraction of the rows left (one {@link Random} draw per row, in order), golden
 * ones their own files (no window row). What is held is one byte per window row.
 */
final class WindowSplit {

	/**
	 * The part code of a training row; holdout {@code i} (in the definition's order) has
	 * code {@code i + 1}.
	 */
	static final byte TRAIN = 0;

	private final byte[] parts;

	private final long[] counts;

	/** Window position of each file's first row. */
	private final long[] fileStarts;

	/** Each file's day (epoch day), {@code Long.MIN_VALUE} without one. */
	private final long[] fileDays;

	private WindowSplit(byte[] parts, long[] counts, long[] fileStarts, long[] fileDays) {
		this.parts = parts;
		this.counts = counts;
		this.fileStarts = fileStarts;
		this.fileDays = fileDays;
	}

	/**
	 * Splits the window of {@code files} that ends at {@code asOf} between training and
	 * {@code holdouts}, in their order: a row a holdout took is not another's.
	 */
	static WindowSplit of(List<HoldoutSpec> holdouts, List<DataFile> files, LocalDate asOf) {
		long total = 0;
		for (DataFile f : files) {
			total += Math.max(0, f.rows());
		}
		if (total > Integer.MAX_VALUE - 8) {
			throw new DataValidationFailed(null, null, "the window holds " + total + " rows; one run takes at most "
					+ (Integer.MAX_VALUE - 8) + " (shorten data.window-days)");
		}
		if (holdouts.size() > Byte.MAX_VALUE - 1) {
			throw new IllegalArgumentException("at most " + (Byte.MAX_VALUE - 1) + " holdouts");
		}
		byte[] parts = new byte[(int) total];
		long[] counts = new long[holdouts.size() + 1];
		for (int h = 0; h < holdouts.size(); h++) {
			HoldoutSpec spec = holdouts.get(h);
			byte code = (byte) (h + 1);
			switch (spec.type()) {
				case OUT_OF_TIME -> {
					long firstDay = asOf.minusDays(spec.days() - 1L).toEpochDay();
					int at = 0;
					for (DataFile f : files) {
						int n = (int) Math.max(0, f.rows());
						if (f.day() != null && f.day().toEpochDay() >= firstDay) {
							for (int r = at; r < at + n; r++) {
								if (parts[r] == TRAIN) {
									parts[r] = code;
									counts[code]++;
								}
							}
						}
						at += n;
					}
				}
				case RANDOM -> {
					Random random = new Random(spec.seed());
					for (int r = 0; r < parts.length; r++) {
						if (parts[r] == TRAIN && random.nextDouble() < spec.fraction()) {
							parts[r] = code;
							counts[code]++;
						}
					}
				}
				case GOLDEN -> {
					// its own files: no window row belongs to it
				}
			}
		}
		long held = 0;
		for (int h = 1; h < counts.length; h++) {
			held += counts[h];
		}
		counts[TRAIN] = total - held;
		long[] starts = new long[files.size()];
		long[] days = new long[files.size()];
		long at = 0;
		for (int i = 0; i < files.size(); i++) {
			starts[i] = at;
			days[i] = (files.get(i).day() != null) ? files.get(i).day().toEpochDay() : Long.MIN_VALUE;
			at += Math.max(0, files.get(i).rows());
		}
		return new WindowSplit(parts, counts, starts, days);
	}

	long rows() {
		return this.parts.length;
	}

	long trainRows() {
		return this.counts[TRAIN];
	}

	/** Rows of window holdout {@code holdout} (0 for a golden one). */
	long holdoutRows(int holdout) {
		return this.counts[holdout + 1];
	}

	/**
	 * The part of the row at window position {@code row}: {@link #TRAIN} or a holdout's
	 * code.
	 */
	byte part(long row) {
		return this.parts[(int) row];
	}

	/**
	 * The epoch day of the row at window position {@code row} (its file's partition);
	 * {@code Long.MIN_VALUE} for a file without a day.
	 */
	long day(long row) {
		int i = Arrays.binarySearch(this.fileStarts, row);
		if (i < 0) {
			i = -i - 2;
		}
		// files without rows share a start with the next one: the last of them holds it
		while (i + 1 < this.fileStarts.length && this.fileStarts[i + 1] == row) {
			i++;
		}
		return this.fileDays[i];
	}

}

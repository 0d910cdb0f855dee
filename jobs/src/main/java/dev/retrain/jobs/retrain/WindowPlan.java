package dev.retrain.jobs.retrain;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import dev.retrain.jobs.pipeline.HoldoutSpec;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.models.dataset.Column;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.DerivedFeatures;
import dev.retrain.models.features.DerivedHistory;
import dev.retrain.models.features.DerivedState;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.storage.Location;
import dev.retrain.models.storage.S3Settings;
import dev.retrain.models.storage.Storage;

/**
 * A run's window: which rows train and which belong to each holdout ({@link WindowSplit},
 * made without reading any data, so every step sees the same rows), and streaming reads
 * of the window's and the golden holdouts' files. The rows are read slice by slice
 * ({@value #SLICE_ROWS} rows at most), so a window larger than the heap can be checked,
 * trained on and evaluated.
 */
final class WindowPlan {

	/** Rows decoded at a time. */
	static final int SLICE_ROWS = 65_536;

	/**
	 * The part code of a training row; holdout {@code i} (in the definition's order) has
	 * code {@code i + 1}.
	 */
	static final byte TRAIN = WindowSplit.TRAIN;

	/**
	 * What a scan hands over: a slice of one file, and the window position of its first
	 * row.
	 */
	@FunctionalInterface
	interface SliceVisitor {

		void slice(Table slice, long first);

	}

	private final S3Settings s3;

	private final PipelineDefinition def;

	private final SnapshotInfo snap;

	private final WindowSplit split;

	private final List<String> holdouts;

	private Derived derived;

	private WindowPlan(PipelineDefinition def, SnapshotInfo snap, WindowSplit split, S3Settings s3) {
		this.s3 = s3;
		this.def = def;
		this.snap = snap;
		this.split = split;
		this.holdouts = def.holdouts().stream().map(HoldoutSpec::name).toList();
	}

	static WindowPlan of(PipelineDefinition def, SnapshotInfo snap, LocalDate asOf, S3Settings s3) {
		return new WindowPlan(def, snap, WindowSplit.of(def.holdouts(), snap.window().files(), asOf), s3);
	}

	/**
	 * The columns a run reads: features, label, and {@code extra} ones (read where
	 * present).
	 */
	static List<ColumnRequest> columns(PipelineDefinition def, List<FeatureSpec> extra) {
		List<ColumnRequest> columns = new ArrayList<>();
		for (FeatureSpec f : def.features()) {
			columns.add(f.isNumeric() ? ColumnRequest.numeric(f.name()) : ColumnRequest.string(f.name()));
		}
		columns.add((def.task() == Task.REGRESSION) ? ColumnRequest.numeric(def.labelColumn())
				: ColumnRequest.string(def.labelColumn()));
		for (FeatureSpec f : extra) {
			columns.add(new ColumnRequest(f.name(),
					f.isNumeric() ? ColumnRequest.Kind.NUMERIC : ColumnRequest.Kind.STRING, false));
		}
		return columns;
	}

	long rows() {
		return this.split.rows();
	}

	/**
	 * The epoch day of the row at window position {@code row} (its file's partition);
	 * {@code Long.MIN_VALUE} for a file without a day.
	 */
	long day(long row) {
		return this.split.day(row);
	}

	long trainRows() {
		return this.split.trainRows();
	}

	/**
	 * The part of the row at window position {@code row}: {@link #TRAIN} or a holdout's
	 * code.
	 */
	byte part(long row) {
		return this.split.part(row);
	}

	/**
	 * The holdouts' names, in the definition's order (holdout {@code i} has code
	 * {@code i + 1}).
	 */
	List<String> holdoutNames() {
		return this.holdouts;
	}

	boolean isGolden(int holdout) {
		return this.def.holdouts().get(holdout).type() == HoldoutSpec.Type.GOLDEN;
	}

	/**
	 * Rows of a window holdout (golden ones are not counted here: they are their own
	 * files).
	 */
	long windowHoldoutRows(int holdout) {
		return this.split.holdoutRows(holdout);
	}

	List<DataFile> files() {
		return this.snap.window().files();
	}

	/** The snapshot's data directory: a local path or a prefix in object storage. */
	Location root() {
		return locate(this.snap.dataRoot());
	}

	private Location locate(String uri) {
		// stored absolute (or as an s3:// URI) by the snapshot step
		return Storage.locate(uri, Path.of(uri).isAbsolute() ? Path.of("/") : Path.of("."), this.s3);
	}

	/**
	 * Streams the window in slices, in position order. A file whose row count changed
	 * since the snapshot fails.
	 */
	void scan(List<ColumnRequest> columns, SliceVisitor visitor) {
		Derived derived = derived();
		if (derived == null) {
			rawScan(columns, visitor);
		}
		else {
			rawScan(columns, (slice, first) -> visitor.slice(derived.apply(slice), first));
		}
	}

	/**
	 * The window's derived features ({@link DerivedFeatures}, the one code path) and the
	 * history they are computed from: every period of the window, from one pass over the
	 * label and the columns they need; null without derived features. A row's values come
	 * from the periods before its day only (the first periods of the window have none:
	 * missing, which the encoder marks).
	 */
	synchronized Derived derived() {
		if (this.def.derived().isEmpty()) {
			return null;
		}
		if (this.derived == null) {
			List<ColumnRequest> columns = new ArrayList<>();
			for (FeatureSpec f : this.def.features()) {
				columns.add(f.isNumeric() ? ColumnRequest.numeric(f.name()) : ColumnRequest.string(f.name()));
			}
			columns.add((this.def.task() == Task.REGRESSION) ? ColumnRequest.numeric(this.def.labelColumn())
					: ColumnRequest.string(this.def.labelColumn()));
			List<Table> parts = new ArrayList<>();
			Set<String> seen = new TreeSet<>();
			int[] lastDay = { Integer.MIN_VALUE };
			rawScan(columns, (slice, first) -> {
				parts.add(slice);
				if (this.def.task() != Task.REGRESSION) {
					for (String v : slice.strings(this.def.labelColumn()).values()) {
						if (v != null) {
							seen.add(v);
						}
					}
				}
				for (int d : slice.epochDays()) {
					lastDay[0] = Math.max(lastDay[0], d);
				}
			});
			LabelEncoding label = LabelEncoding.of(this.def.labelColumn(), this.def.task(), this.def.classes(), seen);
			DerivedFeatures features = this.def.derivedFeatures(label);
			DerivedHistory history = DerivedHistory.EMPTY;
			for (Table part : parts) {
				history = history.plus(features.history(part));
			}
			this.derived = new Derived(features, history, lastDay[0]);
		}
		return this.derived;
	}

	/**
	 * A window's derived features, their history and the window's last day (rows of no
	 * day, a golden holdout's, are taken to be of the day after).
	 */
	record Derived(DerivedFeatures features, DerivedHistory history, int lastDay) {

		Table apply(Table slice) {
			return this.features.apply(slice, this.history, this.lastDay + 1);
		}

		/** What a version trained on this window stores to serve its derived features. */
		DerivedState state() {
			return DerivedState.of(this.features, this.history, this.lastDay);
		}

	}

	private void rawScan(List<ColumnRequest> columns, SliceVisitor visitor) {
		ParquetTableReader reader = new ParquetTableReader(root());
		long at = 0;
		for (DataFile f : files()) {
			long start = at;
			long end = start + Math.max(0, f.rows());
			long[] next = { start };
			reader.read(f, columns, SLICE_ROWS, slice -> {
				if (next[0] + slice.rows() > end) {
					throw changed(f, end - start);
				}
				visitor.slice(slice, next[0]);
				next[0] += slice.rows();
			});
			if (next[0] != end) {
				throw changed(f, end - start);
			}
			at = end;
		}
	}

	private static DataValidationFailed changed(DataFile f, long expected) {
		return new DataValidationFailed(f.path(), null, "no longer has the " + expected
				+ " rows it had when the run's snapshot was taken (the file changed under the run)");
	}

	/**
	 * Streams a golden holdout's rows slice by slice, file by file in the snapshot's
	 * order.
	 */
	void golden(String name, List<ColumnRequest> columns, Consumer<Table> consumer) {
		SnapshotInfo.GoldenSnapshot g = this.snap.golden().get(name);
		ParquetTableReader reader = new ParquetTableReader(locate(g.root()));
		Derived derived = derived();
		for (DataFile f : g.snapshot().files()) {
			reader.read(f, columns, SLICE_ROWS, (derived != null) ? t -> consumer.accept(derived.apply(t)) : consumer);
		}
	}

	/** A golden holdout's row count as its snapshot recorded it. */
	long goldenRows(String name) {
		return this.snap.golden().get(name).snapshot().files().stream().mapToLong(f -> Math.max(0, f.rows())).sum();
	}

	/**
	 * Streams every holdout's rows to {@code consumer} (holdout name, rows): the
	 * out-of-time and random ones slice by slice from one scan of the window, in window
	 * order, then each golden one slice by slice. Training rows are not kept.
	 */
	void holdoutParts(List<ColumnRequest> columns, BiConsumer<String, Table> consumer) {
		if (trainRows() < rows()) {
			scan(columns, (slice, first) -> {
				int[][] rows = new int[this.holdouts.size()][];
				int[] n = new int[this.holdouts.size()];
				for (int r = 0; r < slice.rows(); r++) {
					int code = part(first + r);
					if (code != TRAIN) {
						if (rows[code - 1] == null) {
							rows[code - 1] = new int[slice.rows()];
						}
						rows[code - 1][n[code - 1]++] = r;
					}
				}
				for (int h = 0; h < n.length; h++) {
					if (n[h] > 0) {
						consumer.accept(this.holdouts.get(h),
								(n[h] == slice.rows()) ? slice : slice.select(Arrays.copyOf(rows[h], n[h])));
					}
				}
			});
		}
		for (int h = 0; h < this.holdouts.size(); h++) {
			if (isGolden(h)) {
				String name = this.holdouts.get(h);
				golden(name, columns, slice -> consumer.accept(name, slice));
			}
		}
	}

	/**
	 * A {@link Picker} code for rows that are not the window's: every row fed counts (a
	 * golden holdout's).
	 */
	static final byte ANY = -1;

	/**
	 * Collects the rows of one part at given ordinals (0 = the part's first row in the
	 * window, or the first row fed for {@link #ANY}) from slices fed in order: a sample
	 * of rows without holding the rest.
	 */
	final class Picker {

		private final byte code;

		private final int[] ordinals;

		private final List<Table> parts = new ArrayList<>();

		private long seen;

		private int next;

		/**
		 * @param sortedOrdinals ascending
		 */
		Picker(byte code, int[] sortedOrdinals) {
			this.code = code;
			this.ordinals = sortedOrdinals;
		}

		void add(Table slice, long first) {
			int[] rows = new int[slice.rows()];
			int m = 0;
			for (int r = 0; r < slice.rows() && this.next < this.ordinals.length; r++) {
				if (this.code == ANY || part(first + r) == this.code) {
					if (this.seen == this.ordinals[this.next]) {
						rows[m++] = r;
						this.next++;
					}
					this.seen++;
				}
			}
			if (m > 0) {
				this.parts.add((m == slice.rows()) ? slice : slice.select(Arrays.copyOf(rows, m)));
			}
		}

		Table table(List<ColumnRequest> columns) {
			return this.parts.isEmpty() ? empty(columns) : Table.concat(this.parts);
		}

	}

	static Table empty(List<ColumnRequest> columns) {
		Map<String, Column> empty = new LinkedHashMap<>();
		for (ColumnRequest c : columns) {
			if (c.required()) {
				empty.put(c.name(), (c.kind() == ColumnRequest.Kind.NUMERIC)
						? new NumericColumn(c.name(), new double[0], null) : new StringColumn(c.name(), new String[0]));
			}
		}
		return new Table(empty, 0, new int[0], List.of());
	}

}

package dev.retrain.jobs.retrain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.training.ClassWeights;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.TrainingData;

/**
 * One pass over a run's window: the encodings fitted on its training rows, the labels
 * seen, the training rows themselves when they fit the in-memory bound (with each row's
 * window position, so a search can cut them by day), and, when asked, the rows kept as
 * the version's reference sample. The train step and every search candidate start from
 * it; the same window gives the same encodings wherever it is read.
 */
final class TrainingWindow {

	/**
	 * At most this many training rows (and as many holdout rows) are kept as a version's
	 * reference sample.
	 */
	static final int REFERENCE_ROWS = 50_000;

	/**
	 * A rough size of one decoded cell (a double, or a short string and its reference).
	 */
	private static final long DECODED_CELL_BYTES = 24;

	final int trainRows;

	/** The training rows in window order, or null when they do not fit the bound. */
	final List<Table> kept;

	/** The window position of each kept row. */
	final List<long[]> keptRows;

	final FeatureEncoder.Fitter fitter;

	final Set<String> seenLabels;

	/** The reference sample of training rows, or null unless asked. */
	final Table trainSample;

	/** The reference sample of the primary holdout, or null unless asked. */
	final Table holdoutSample;

	private TrainingWindow(int trainRows, List<Table> kept, List<long[]> keptRows, FeatureEncoder.Fitter fitter,
			Set<String> seenLabels, Table trainSample, Table holdoutSample) {
		this.trainRows = trainRows;
		this.kept = kept;
		this.keptRows = keptRows;
		this.fitter = fitter;
		this.seenLabels = seenLabels;
		this.trainSample = trainSample;
		this.holdoutSample = holdoutSample;
	}

	/**
	 * Reads the window once. Training rows are kept when decoded they fit in half of
	 * {@code memoryBytes} (encoded, in the whole bound); otherwise they are streamed from
	 * Parquet every epoch.
	 */
	static TrainingWindow read(PipelineDefinition def, WindowPlan plan, long memoryBytes, boolean references) {
		List<ColumnRequest> columns = WindowPlan.columns(def, List.of());
		int trainRows = (int) plan.trainRows();
		long seed = def.hyperparameters().seed();
		WindowPlan.Picker referenceTrain = references
				? plan.new Picker(WindowPlan.TRAIN, ReferenceSample.sample(trainRows, REFERENCE_ROWS, seed)) : null;
		int primary = plan.holdoutNames().indexOf(def.primaryHoldout().name());
		boolean goldenPrimary = plan.isGolden(primary);
		WindowPlan.Picker windowHoldout = (!references || goldenPrimary) ? null : plan.new Picker((byte) (primary + 1),
				ReferenceSample.sample((int) plan.windowHoldoutRows(primary), REFERENCE_ROWS, seed + 1));
		Set<String> seenLabels = new HashSet<>();
		FeatureEncoder.Fitter fitter = new FeatureEncoder.Fitter(def.modelFeatures());
		List<Table> kept = ((long) trainRows * columns.size() * DECODED_CELL_BYTES <= memoryBytes / 2)
				? new ArrayList<>() : null;
		List<long[]> keptRows = new ArrayList<>();
		plan.scan(columns, (slice, first) -> {
			long[] positions = trainPositions(plan, slice, first);
			Table part = (positions.length == slice.rows()) ? slice : slice.select(local(positions, first));
			fitter.add(part);
			if (kept != null) {
				kept.add(part);
				keptRows.add(positions);
			}
			if (def.task() != Task.REGRESSION) {
				for (String v : part.strings(def.labelColumn()).values()) {
					if (v != null) {
						seenLabels.add(v);
					}
				}
			}
			if (referenceTrain != null) {
				referenceTrain.add(slice, first);
			}
			if (windowHoldout != null) {
				windowHoldout.add(slice, first);
			}
		});
		Table trainSample = null;
		Table holdoutSample = null;
		if (references) {
			trainSample = referenceTrain.table(columns);
			WindowPlan.Picker referenceHoldout = windowHoldout;
			if (goldenPrimary) {
				String golden = def.primaryHoldout().name();
				WindowPlan.Picker picker = plan.new Picker(WindowPlan.ANY,
						ReferenceSample.sample((int) plan.goldenRows(golden), REFERENCE_ROWS, seed + 1));
				plan.golden(golden, columns, slice -> picker.add(slice, 0));
				referenceHoldout = picker;
			}
			holdoutSample = referenceHoldout.table(columns);
		}
		return new TrainingWindow(trainRows, kept, keptRows, fitter, seenLabels, trainSample, holdoutSample);
	}

	/** The label encoding fitted on this window's training rows. */
	LabelEncoding label(PipelineDefinition def) {
		return LabelEncoding.of(def.labelColumn(), def.task(), def.classes(), this.seenLabels);
	}

	/** The day of the newest kept training row, and of the oldest. */
	long[] dayRange(WindowPlan plan) {
		long newest = Long.MIN_VALUE;
		long oldest = Long.MAX_VALUE;
		for (long[] positions : this.keptRows) {
			for (long r : positions) {
				long day = plan.day(r);
				newest = Math.max(newest, day);
				oldest = Math.min(oldest, day);
			}
		}
		return new long[] { oldest, newest };
	}

	/**
	 * The kept training rows whose window position {@code include} accepts (null: all),
	 * encoded into arrays in window order.
	 */
	TrainingData encoded(FeatureEncoder encoder, LabelEncoding label, Hyperparameters hp, LongPredicate include) {
		List<Table> parts = (include != null) ? filtered(include) : this.kept;
		int rows = parts.stream().mapToInt(Table::rows).sum();
		float[] x = new float[rows * encoder.width()];
		double[] y = new double[rows];
		int at = 0;
		for (Table part : parts) {
			encoder.encodeRows(part, null, 0, part.rows(), x, at);
			System.arraycopy(label.encode(part), 0, y, at, part.rows());
			at += part.rows();
		}
		float[] w = ClassWeights.rowWeights(y, label.classes(), hp);
		return new TrainingData(x, y, w, rows, encoder.width());
	}

	/** The kept rows that {@code include} accepts, as one table, or null if none. */
	Table select(LongPredicate include) {
		List<Table> parts = filtered(include);
		return parts.isEmpty() ? null : Table.concat(parts);
	}

	/** Lets go of the kept rows. */
	void release() {
		if (this.kept != null) {
			this.kept.clear();
		}
	}

	/** The kept parts cut to the rows {@code include} accepts (empty ones left out). */
	private List<Table> filtered(LongPredicate include) {
		List<Table> parts = new ArrayList<>();
		for (int k = 0; k < this.kept.size(); k++) {
			long[] positions = this.keptRows.get(k);
			int[] pick = new int[positions.length];
			int m = 0;
			for (int i = 0; i < positions.length; i++) {
				if (include.test(positions[i])) {
					pick[m++] = i;
				}
			}
			if (m == positions.length) {
				parts.add(this.kept.get(k));
			}
			else if (m > 0) {
				parts.add(this.kept.get(k).select(Arrays.copyOf(pick, m)));
			}
		}
		return parts;
	}

	/** The window positions of a slice's rows that train. */
	private static long[] trainPositions(WindowPlan plan, Table slice, long first) {
		long[] rows = new long[slice.rows()];
		int m = 0;
		for (int r = 0; r < slice.rows(); r++) {
			if (plan.part(first + r) == WindowPlan.TRAIN) {
				rows[m++] = first + r;
			}
		}
		return Arrays.copyOf(rows, m);
	}

	private static int[] local(long[] positions, long first) {
		int[] out = new int[positions.length];
		for (int i = 0; i < out.length; i++) {
			out[i] = (int) (positions[i] - first);
		}
		return out;
	}

}

package dev.retrain.jobs.backtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.retrain.jobs.backtest.BacktestPlan.Span;
import dev.retrain.models.committee.CommitteeLoss;
import dev.retrain.models.committee.CommitteeVote;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.drift.DriftStats;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.features.DerivedHistory;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.storage.Storage;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;

/**
 * Scores a period's rows with a champion of a sandbox's store, and measures the period's
 * feature PSI against the champion's reference sample. Holds each version it loaded until
 * it is closed.
 */
final class PeriodScorer implements AutoCloseable {

	/** Rows a period is scored in at a time. */
	static final int SLICE_ROWS = 65_536;

	private final ModelStore store;

	private final String pipeline;

	private final Path data;

	private final Map<Integer, ModelArtifact> artifacts = new HashMap<>();

	PeriodScorer(ModelStore store, String pipeline, Path data) {
		this.store = store;
		this.pipeline = pipeline;
		this.data = data;
	}

	/**
	 * A champion's scores of a period: per row the label, the model's scores (one per
	 * class for multiclass) and the predicted class (the value for regression).
	 */
	record Scores(double[] labels, double[] scores, double[] predictedClasses) {

		static final Scores NONE = new Scores(new double[0], new double[0], new double[0]);

		int rows() {
			return this.labels.length;
		}

		/**
		 * The metric of these scores, NaN when it cannot be computed (no rows, one class
		 * only).
		 */
		double metric(Task task, Metric metric) {
			int classes = (task == Task.MULTICLASS_CLASSIFICATION)
					? this.scores.length / Math.max(1, this.labels.length) : 1;
			return Metrics.compute(new Predictions(task, classes, this.scores), this.labels)
				.getOrDefault(metric.key(), Double.NaN);
		}

		/**
		 * Scores as the report has them: the probability of the positive class (binary),
		 * the class index (multiclass) or the value.
		 */
		double[] reported(Task task) {
			return (task == Task.MULTICLASS_CLASSIFICATION) ? this.predictedClasses : this.scores;
		}

	}

	/**
	 * The champion's scores of the period, none when there is no champion. The period is
	 * read and scored slice by slice: what is held is its scores, not its rows.
	 */
	Scores score(Span period, Integer champion, LocalDate labelsUntil) {
		if (champion == null) {
			return Scores.NONE;
		}
		return scoreAll(period, List.of(champion), labelsUntil).get(champion);
	}

	/**
	 * Each version's scores of the period, the period read once for all of them (a
	 * committee's members): slice by slice, each slice scored by every version.
	 */
	Map<Integer, Scores> scoreAll(Span period, List<Integer> versions, LocalDate labelsUntil) {
		Map<Integer, Scores> out = new LinkedHashMap<>();
		if (versions.isEmpty()) {
			return out;
		}
		List<ModelArtifact> members = versions.stream().map(this::artifact).toList();
		// derived features: the periods before each row's day, with only the labels known
		// when the period is scored (those up to labelsUntil)
		List<DerivedHistory> recent = new ArrayList<>();
		for (ModelArtifact a : members) {
			recent.add(a.recentHistory(Storage.local(this.data), period.start().minusDays(lookback(a)),
					period.end().minusDays(1))
				.labelsThrough((int) labelsUntil.toEpochDay()));
		}
		List<List<double[]>> labels = new ArrayList<>();
		List<List<double[]>> scores = new ArrayList<>();
		List<List<double[]>> classes = new ArrayList<>();
		for (int m = 0; m < members.size(); m++) {
			labels.add(new ArrayList<>());
			scores.add(new ArrayList<>());
			classes.add(new ArrayList<>());
		}
		Consumer<Table> scorer = t -> {
			for (int m = 0; m < members.size(); m++) {
				ModelArtifact a = members.get(m);
				Predictions p = a.predict(t, recent.get(m));
				labels.get(m).add(a.metadata().label().encode(t));
				scores.get(m).add(p.scores());
				classes.get(m).add(classes(p, t.rows()));
			}
		};
		// small day files are gathered into slices of up to SLICE_ROWS rows: one model
		// call per slice, not per file
		List<Table> pending = new ArrayList<>();
		int[] pendingRows = { 0 };
		List<ColumnRequest> columns = new ArrayList<>();
		for (ModelArtifact a : members) {
			for (ColumnRequest c : columns(a)) {
				if (columns.stream().noneMatch(k -> k.name().equals(c.name()))) {
					columns.add(c);
				}
			}
		}
		ParquetTableReader reader = new ParquetTableReader(this.data);
		for (DataFile f : new PartitionedDirectory(this.data).resolve(period.start(), period.end())) {
			reader.read(f, columns, SLICE_ROWS, t -> {
				if (pendingRows[0] > 0 && pendingRows[0] + t.rows() > SLICE_ROWS) {
					scorer.accept(Table.concat(pending));
					pending.clear();
					pendingRows[0] = 0;
				}
				pending.add(t);
				pendingRows[0] += t.rows();
			});
		}
		if (!pending.isEmpty()) {
			scorer.accept(Table.concat(pending));
		}
		for (int m = 0; m < members.size(); m++) {
			out.put(versions.get(m), new Scores(concat(labels.get(m)), concat(scores.get(m)), concat(classes.get(m))));
		}
		return out;
	}

	/**
	 * The weighted vote of members' scores of the same period ({@link CommitteeVote}):
	 * the labels are the first member's, the predicted classes those of the vote.
	 */
	static Scores vote(Task task, List<Scores> members, double[] weights) {
		Scores first = members.get(0);
		int classes = classes(task, first);
		List<Predictions> predictions = members.stream().map(s -> new Predictions(task, classes, s.scores())).toList();
		Predictions vote = CommitteeVote.vote(predictions, weights);
		return new Scores(first.labels(), vote.scores(), classes(vote, first.rows()));
	}

	/** A member's loss on a labelled period's scores ({@link CommitteeLoss}). */
	static double loss(Task task, Scores scores) {
		return CommitteeLoss.of(new Predictions(task, classes(task, scores), scores.scores()), scores.labels());
	}

	private static int classes(Task task, Scores s) {
		return (task == Task.MULTICLASS_CLASSIFICATION) ? s.scores().length / Math.max(1, s.rows())
				: (task == Task.BINARY_CLASSIFICATION) ? 2 : 1;
	}

	private static double[] classes(Predictions p, int rows) {
		double[] c = new double[rows];
		for (int r = 0; r < rows; r++) {
			c[r] = (p.task() == Task.REGRESSION) ? p.scores()[r] : p.predictedClass(r);
		}
		return c;
	}

	/**
	 * For the uncalibrated textbook rule: each numeric feature's PSI of the period
	 * against the champion's reference sample (on reference deciles), in feature order;
	 * empty when there is no champion.
	 */
	Map<String, Double> psi(Span period, Integer champion) {
		Map<String, Double> out = new LinkedHashMap<>();
		if (champion == null) {
			return out;
		}
		List<ColumnRequest> columns = new ArrayList<>();
		for (FeatureEncoding e : artifact(champion).metadata().inputs()) {
			if (e.type() == FeatureSpec.FeatureType.NUMERIC) {
				columns.add(ColumnRequest.numeric(e.name()));
			}
		}
		try {
			ReferenceSample ref = ReferenceSample
				.read(this.store.versionDir(this.pipeline, champion).resolve(ReferenceSample.FILE), columns);
			Table cur = new ParquetTableReader(this.data)
				.read(new PartitionedDirectory(this.data).resolve(period.start(), period.end()), columns);
			for (ColumnRequest c : columns) {
				double[] r = finite(ref.train().numeric(c.name()).values());
				double[] k = finite(cur.numeric(c.name()).values());
				out.put(c.name(), DriftStats.psi(r, k, DriftStats.decileEdges(r)));
			}
			return out;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private ModelArtifact artifact(int version) {
		return this.artifacts.computeIfAbsent(version, v -> this.store.load(this.pipeline, v));
	}

	private static int lookback(ModelArtifact a) {
		return (a.metadata().derived() != null) ? a.metadata().derived().derived().lookbackPeriods() : 0;
	}

	private static List<ColumnRequest> columns(ModelArtifact a) {
		List<ColumnRequest> columns = new ArrayList<>();
		for (FeatureEncoding e : a.metadata().inputs()) {
			columns.add(e.type() == FeatureSpec.FeatureType.NUMERIC ? ColumnRequest.numeric(e.name())
					: ColumnRequest.string(e.name()));
		}
		columns
			.add(a.metadata().label().task() == Task.REGRESSION ? ColumnRequest.numeric(a.metadata().label().column())
					: ColumnRequest.string(a.metadata().label().column()));
		return columns;
	}

	private static double[] concat(List<double[]> parts) {
		double[] out = new double[parts.stream().mapToInt(p -> p.length).sum()];
		int at = 0;
		for (double[] p : parts) {
			System.arraycopy(p, 0, out, at, p.length);
			at += p.length;
		}
		return out;
	}

	private static double[] finite(double[] v) {
		double[] f = Arrays.stream(v).filter(Double::isFinite).toArray();
		Arrays.sort(f);
		return f;
	}

	/** Frees the loaded versions' native memory. */
	@Override
	public void close() {
		this.artifacts.values().forEach(ModelArtifact::close);
		this.artifacts.clear();
	}

}

package dev.retrain.jobs.scoring;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.PredictionsWriter;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.storage.Location;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;

/**
 * A day's stored predictions joined with the labels that landed for it
 * ({@code labels.path}, {@code dt=<date>/}, key and label columns): per model version,
 * the scores and the labels of the rows that have both. Predictions keep one score per
 * row (binary: the second class's probability; regression: the value; multiclass: the top
 * class's probability and the class), so the realised metric of a multiclass model is its
 * accuracy.
 */
public final class ProductionLabels {

	private final RetrainProperties props;

	private final ModelStore store;

	public ProductionLabels(RetrainProperties props, ModelStore store) {
		this.props = props;
		this.store = store;
	}

	/** One version's joined rows of a day. */
	public record Joined(int version, int scoredRows, Predictions scores, double[] labels, ArtifactMetadata meta) {

		/** The realised metrics of these rows (multiclass: accuracy only). */
		public Map<String, Double> metrics() {
			if (this.scores.task() == Task.MULTICLASS_CLASSIFICATION) {
				return Map.of("accuracy", accuracy());
			}
			return Metrics.compute(this.scores, this.labels);
		}

		private double accuracy() {
			// multiclass predictions carry the predicted class's index in place of a
			// distribution
			double right = 0;
			for (int r = 0; r < this.labels.length; r++) {
				right += (this.scores.scores()[r] == this.labels[r]) ? 1 : 0;
			}
			return (this.labels.length > 0) ? right / this.labels.length : Double.NaN;
		}

	}

	/** Whether a day has stored predictions and labels, so a join can run. */
	public boolean available(PipelineDefinition def, LocalDate day) {
		try {
			return def.labels() != null && ScoreStep.partition(this.props, def, day).resolve(ScoreStep.FILE).isFile()
					&& this.props.resolveData(def.labels().path())
						.resolve(PartitionedDirectory.PREFIX + day)
						.isDirectory();
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Joins a day. Refused, naming file and column: no predictions for the day, a label
	 * file without its key or label column, labels whose keys match no prediction.
	 */
	public List<Joined> join(PipelineDefinition def, LocalDate day) {
		return join(def, day, ScoreStep.FILE);
	}

	/**
	 * Whether a committee scored the day: its members' own predictions are there
	 * ({@link ScoreStep#MEMBERS_FILE}).
	 */
	public boolean membersScored(PipelineDefinition def, LocalDate day) {
		try {
			return ScoreStep.partition(this.props, def, day).resolve(ScoreStep.MEMBERS_FILE).isFile();
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Joins a day's committee members' own predictions ({@link ScoreStep#MEMBERS_FILE})
	 * with its labels: one {@link Joined} per member.
	 */
	public List<Joined> joinMembers(PipelineDefinition def, LocalDate day) {
		return join(def, day, ScoreStep.MEMBERS_FILE);
	}

	/**
	 * Joins each shadow version's predictions of a day
	 * ({@link ScoreStep#shadowFile(int)}) with its labels: one {@link Joined} per shadow,
	 * in version order; none when no shadow scored the day. The rows of each are in the
	 * order of the served predictions' joined rows (the same input, read in the same
	 * order), so a shadow and the served version can be compared row by row.
	 */
	public List<Joined> joinShadows(PipelineDefinition def, LocalDate day) {
		List<Integer> versions = new ArrayList<>();
		Location partition = ScoreStep.partition(this.props, def, day);
		try {
			if (!partition.isDirectory()) {
				return List.of();
			}
			for (Location f : partition.files()) {
				Integer v = ScoreStep.shadowVersion(f.name());
				if (v != null) {
					versions.add(v);
				}
			}
		}
		catch (IOException ex) {
			throw new DataValidationFailed(partition.uri(), null, "cannot list: " + ex.getMessage(), ex);
		}
		versions.sort(null);
		List<Joined> out = new ArrayList<>();
		for (int v : versions) {
			out.addAll(join(def, day, ScoreStep.shadowFile(v)));
		}
		return out;
	}

	private List<Joined> join(PipelineDefinition def, LocalDate day, String predictions) {
		PipelineDefinition.Labels spec = def.labels();
		if (spec == null) {
			throw new IllegalArgumentException("pipeline '" + def.name() + "' has no labels section");
		}
		Location predictionsFile = ScoreStep.partition(this.props, def, day).resolve(predictions);
		try {
			if (!predictionsFile.isFile()) {
				throw new DataValidationFailed(predictionsFile.uri(), null,
						"no predictions for " + day + ": score the date before joining its labels");
			}
		}
		catch (IOException ex) {
			throw new DataValidationFailed(predictionsFile.uri(), null, "cannot read: " + ex.getMessage(), ex);
		}
		// the labels of the day, by key, as text (a regression label is parsed below)
		Location labelsRoot = this.props.resolveData(spec.path());
		PartitionedDirectory labelsDir = new PartitionedDirectory(labelsRoot);
		List<DataFile> labelFiles = labelsDir.resolve(day, day);
		Map<String, String> labels = new HashMap<>();
		Table labelTable = new ParquetTableReader(labelsDir.baseForReading()).read(labelFiles,
				List.of(new ColumnRequest(spec.key(), ColumnRequest.Kind.STRING, true),
						new ColumnRequest(spec.column(), ColumnRequest.Kind.STRING, true)));
		String[] keys = labelTable.strings(spec.key()).values();
		String[] values = labelTable.strings(spec.column()).values();
		for (int r = 0; r < keys.length; r++) {
			if (keys[r] != null && values[r] != null) {
				String before = labels.put(keys[r], values[r]);
				if (before != null && !before.equals(values[r])) {
					// which label is true cannot be told: refuse the day rather than pick
					// one
					throw new DataValidationFailed(
							(labelFiles.size() == 1) ? labelFiles.get(0).path()
									: labelsRoot.uri() + "/" + PartitionedDirectory.PREFIX + day,
							spec.key(), "key '" + shown(keys[r]) + "' is labelled both '" + shown(before) + "' and '"
									+ shown(values[r]) + "' (column " + spec.column() + "); fix the labels of " + day);
				}
			}
		}
		// the predictions, joined slice by slice, per version
		Map<Integer, List<Double>> scores = new LinkedHashMap<>();
		Map<Integer, List<String>> matched = new LinkedHashMap<>();
		Map<Integer, int[]> scored = new HashMap<>();
		Location predictionsDir = predictionsFile.parent();
		DataFile file = new DataFile(predictions, day, 0, 0, null);
		new ParquetTableReader(predictionsDir).read(file,
				List.of(new ColumnRequest(PredictionsWriter.KEY, ColumnRequest.Kind.STRING, true),
						new ColumnRequest(PredictionsWriter.VERSION, ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest(PredictionsWriter.SCORE, ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest(PredictionsWriter.LABEL, ColumnRequest.Kind.STRING, false)),
				ScoreStep.SLICE_ROWS, slice -> {
					String[] k = slice.strings(PredictionsWriter.KEY).values();
					double[] v = slice.numeric(PredictionsWriter.VERSION).values();
					double[] s = slice.numeric(PredictionsWriter.SCORE).values();
					String[] predicted = slice.has(PredictionsWriter.LABEL)
							? slice.strings(PredictionsWriter.LABEL).values() : null;
					for (int r = 0; r < slice.rows(); r++) {
						int version = (int) v[r];
						scored.computeIfAbsent(version, x -> new int[1])[0]++;
						String label = (k[r] != null) ? labels.get(k[r]) : null;
						if (label != null) {
							scores.computeIfAbsent(version, x -> new ArrayList<>()).add(s[r]);
							matched.computeIfAbsent(version, x -> new ArrayList<>())
								.add(label + "\u0000" + ((predicted != null) ? predicted[r] : ""));
						}
					}
				});
		if (matched.isEmpty()) {
			throw new DataValidationFailed(labelFiles.get(0).path(), spec.key(),
					"none of the " + labels.size() + " labelled keys of " + day + " matches a prediction of that day ("
							+ predictionsFile.uri() + ", " + scored.values().stream().mapToInt(c -> c[0]).sum()
							+ " rows): is labels.key the column scoring.key names?");
		}
		List<Joined> out = new ArrayList<>();
		for (Map.Entry<Integer, List<String>> e : matched.entrySet()) {
			int version = e.getKey();
			ArtifactMetadata meta = this.store.metadata(def.name(), version);
			LabelEncoding encoding = meta.label();
			List<String> rows = e.getValue();
			List<Double> s = scores.get(version);
			double[] y = new double[rows.size()];
			double[] score = new double[rows.size()];
			for (int i = 0; i < y.length; i++) {
				String[] parts = rows.get(i).split("\u0000", -1);
				y[i] = encode(encoding, parts[0], labelFiles.get(0).path(), spec.column());
				score[i] = (encoding.task() == Task.MULTICLASS_CLASSIFICATION) ? encoding.classes().indexOf(parts[1])
						: s.get(i);
			}
			Predictions p = new Predictions(encoding.task(),
					(encoding.task() == Task.MULTICLASS_CLASSIFICATION) ? 1 : encoding.outputs(), score);
			out.add(new Joined(version, scored.get(version)[0], p, y, meta));
		}
		return out;
	}

	private static double encode(LabelEncoding encoding, String value, String file, String column) {
		if (encoding.task() == Task.REGRESSION) {
			try {
				return Double.parseDouble(value);
			}
			catch (NumberFormatException ex) {
				throw new DataValidationFailed(file, column, "'" + value + "' is not a number");
			}
		}
		int k = encoding.classes().indexOf(value);
		if (k < 0) {
			throw new DataValidationFailed(file, column,
					"label '" + value + "' is not one of the model's classes " + encoding.classes());
		}
		return k;
	}

	/** A value from a file, shortened and without control characters, for a message. */
	private static String shown(String value) {
		String v = value.codePoints()
			.limit(60)
			.map(c -> Character.isISOControl(c) ? '?' : c)
			.collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
			.toString();
		return (value.length() > 60) ? v + "…" : v;
	}

}

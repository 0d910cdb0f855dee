package dev.retrain.jobs.scoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.PredictionsWriter;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.DerivedHistory;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.storage.Location;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;

/**
 * Scores one date's partition of a pipeline's input with one model version, streaming
 * {@value #SLICE_ROWS} rows at a time from each row group, and writes the predictions to
 * {@code <scoring.output>/date=<date>/predictions.parquet}: written to a local file first
 * and put in place in one move (one upload in object storage) only once every row is
 * scored and the input passed its checks, so a date's predictions are whole or absent.
 * Refused, naming file and column: a feature column missing or of the wrong type, a
 * categorical feature whose share of categories the version never saw exceeds
 * {@code validation.max-unseen-category-rate}.
 */
class ScoreStep implements Tasklet {

	private static final Logger log = LoggerFactory.getLogger(ScoreStep.class);

	static final int SLICE_ROWS = 8192;

	/** The file a date's predictions are in. */
	static final String FILE = "predictions.parquet";

	private final PipelineCatalog catalog;

	private final ModelStore store;

	private final RetrainProperties props;

	ScoreStep(PipelineCatalog catalog, ModelStore store, RetrainProperties props) {
		this.catalog = catalog;
		this.store = store;
		this.props = props;
	}

	/** Where a pipeline's predictions for a date go. */
	static Location partition(RetrainProperties props, PipelineDefinition def, LocalDate date) {
		return props.resolveData(def.scoring().output()).resolve(PartitionedDirectory.PREFIX + date);
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) throws IOException {
		JobExecution job = chunk.getStepContext().getStepExecution().getJobExecution();
		JobParameters p = job.getJobParameters();
		PipelineDefinition def = this.catalog.get(p.getString(ScoringLauncher.PIPELINE));
		LocalDate date = p.getLocalDate(ScoringLauncher.DATE);
		int version = p.getLong(ScoringLauncher.VERSION).intValue();
		PartitionedDirectory input = new PartitionedDirectory(this.props.resolveData(def.dataPath()));
		List<DataFile> files = input.resolve(date, date);
		String key = def.scoring().key();
		Path tmp = Files.createTempFile(this.props.dataDir().toAbsolutePath(), "scoring-" + job.getId() + "-",
				".parquet");
		Map<String, Object> summary = new LinkedHashMap<>();
		long rows;
		try (ModelArtifact artifact = this.store.load(def.name(), version)) {
			// derived features: from the labelled partitions of the days before the date
			// (the stored state for those absent), as in training
			DerivedHistory recent = artifact.recentHistory(input.root(), date);
			Scored scored = score(input.baseForReading(), files, artifact, key,
					def.validation().maxUnseenCategoryRate(), tmp, recent);
			rows = scored.rows();
			summary.put("unseenCategoryRates", scored.unseenCategoryRates());
			Location target = partition(this.props, def, date).resolve(FILE);
			target.upload(tmp);
			summary.put("output", target.uri());
		}
		finally {
			Files.deleteIfExists(tmp);
		}
		summary.put("rows", rows);
		summary.put("files", files.size());
		summary.put("version", version);
		ExecutionContext context = chunk.getStepContext().getStepExecution().getExecutionContext();
		context.putLong("rows", rows);
		context.putString("output", (String) summary.get("output"));
		contribution.incrementWriteCount(rows);
		log.info("scored {} rows of {} for {} with v{} into {}", rows, def.name(), date, version,
				summary.get("output"));
		return RepeatStatus.FINISHED;
	}

	/** What a scoring wrote: its rows, and each categorical feature's unseen share. */
	record Scored(long rows, Map<String, Double> unseenCategoryRates) {
	}

	/**
	 * The scoring itself, without Spring: {@code files} under {@code inputRoot} scored by
	 * {@code artifact} slice by slice into the Parquet file {@code out}; refused, naming
	 * file and column, when a categorical feature's unseen share exceeds
	 * {@code maxUnseen} (then {@code out} is incomplete and must not be used).
	 */
	static Scored score(Location inputRoot, List<DataFile> files, ModelArtifact artifact, String key, double maxUnseen,
			Path out) throws IOException {
		return score(inputRoot, files, artifact, key, maxUnseen, out, DerivedHistory.EMPTY);
	}

	/**
	 * As {@link #score(Location, List, ModelArtifact, String, double, Path)}, the derived
	 * features computed from {@code recent} and the version's stored state.
	 */
	static Scored score(Location inputRoot, List<DataFile> files, ModelArtifact artifact, String key, double maxUnseen,
			Path out, DerivedHistory recent) throws IOException {
		List<FeatureEncoding> features = artifact.metadata().inputs();
		List<ColumnRequest> columns = new ArrayList<>();
		for (FeatureEncoding f : features) {
			columns.add(new ColumnRequest(f.name(), (f.type() == FeatureSpec.FeatureType.NUMERIC)
					? ColumnRequest.Kind.NUMERIC : ColumnRequest.Kind.STRING, true));
		}
		if (key != null) {
			columns.add(new ColumnRequest(key, ColumnRequest.Kind.STRING, true));
		}
		Task task = artifact.metadata().label().task();
		List<String> classes = artifact.metadata().label().classes();
		int version = artifact.metadata().version();
		Unseen unseen = new Unseen(features);
		ParquetTableReader reader = new ParquetTableReader(inputRoot);
		long rows;
		try (PredictionsWriter writer = new PredictionsWriter(out, key != null, task != Task.REGRESSION, 8L << 20)) {
			for (DataFile file : files) {
				reader.read(file, columns, SLICE_ROWS, slice -> {
					unseen.count(file.path(), slice);
					Predictions predictions = artifact.predict(slice, recent);
					String[] labels = null;
					if (task != Task.REGRESSION) {
						labels = new String[slice.rows()];
						for (int r = 0; r < labels.length; r++) {
							labels[r] = classes.get(predictions.predictedClass(r));
						}
					}
					try {
						writer.append((key != null) ? slice.strings(key).values() : null, version, scores(predictions),
								labels, slice.rows());
					}
					catch (IOException ex) {
						throw new UncheckedIOException("cannot write predictions to " + out, ex);
					}
				});
			}
			rows = writer.rows();
		}
		unseen.check(maxUnseen);
		return new Scored(rows, unseen.rates());
	}

	/**
	 * The score a row is known by: P(second class), the top class's probability, or the
	 * value.
	 */
	private static double[] scores(Predictions p) {
		double[] out = new double[p.rows()];
		for (int r = 0; r < out.length; r++) {
			out[r] = switch (p.task()) {
				case BINARY_CLASSIFICATION -> p.probability(r, 1);
				case MULTICLASS_CLASSIFICATION -> p.probability(r, p.predictedClass(r));
				case REGRESSION -> p.scores()[r];
			};
		}
		return out;
	}

	/**
	 * Per categorical feature, how many non-null values the version's vocabulary does not
	 * know, in all and in the file with the most.
	 */
	private static final class Unseen {

		private final List<FeatureEncoding> categorical = new ArrayList<>();

		private final List<Set<String>> vocabularies = new ArrayList<>();

		private final Map<String, long[]> counts = new LinkedHashMap<>();

		private final Map<String, Map<String, long[]>> perFile = new HashMap<>();

		Unseen(List<FeatureEncoding> features) {
			for (FeatureEncoding f : features) {
				if (f.type() == FeatureSpec.FeatureType.CATEGORICAL) {
					this.categorical.add(f);
					this.vocabularies.add(Set.copyOf(f.vocabulary()));
					this.counts.put(f.name(), new long[2]);
				}
			}
		}

		void count(String file, Table slice) {
			for (int i = 0; i < this.categorical.size(); i++) {
				String name = this.categorical.get(i).name();
				Set<String> known = this.vocabularies.get(i);
				long unseen = 0;
				for (String v : slice.strings(name).values()) {
					if (v != null && !known.contains(v)) {
						unseen++;
					}
				}
				long[] all = this.counts.get(name);
				all[0] += unseen;
				all[1] += slice.rows();
				long[] inFile = this.perFile.computeIfAbsent(name, n -> new HashMap<>())
					.computeIfAbsent(file, f -> new long[2]);
				inFile[0] += unseen;
				inFile[1] += slice.rows();
			}
		}

		Map<String, Double> rates() {
			Map<String, Double> out = new LinkedHashMap<>();
			this.counts.forEach((name, c) -> out.put(name, (c[1] > 0) ? (double) c[0] / c[1] : 0.0));
			return out;
		}

		void check(double max) {
			for (Map.Entry<String, long[]> e : this.counts.entrySet()) {
				long[] c = e.getValue();
				double rate = (c[1] > 0) ? (double) c[0] / c[1] : 0.0;
				if (rate > max) {
					String worst = this.perFile.get(e.getKey())
						.entrySet()
						.stream()
						.max(Comparator.comparingLong(f -> f.getValue()[0]))
						.map(Map.Entry::getKey)
						.orElse(null);
					throw new DataValidationFailed(worst, e.getKey(),
							String.format(Locale.ROOT,
									"%.1f%% of the rows have a category the model version never saw (%d of %d); "
											+ "validation.max-unseen-category-rate is %.1f%%: nothing was written",
									rate * 100, c[0], c[1], max * 100));
				}
			}
		}

	}

}

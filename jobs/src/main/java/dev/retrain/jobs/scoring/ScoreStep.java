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
import dev.retrain.jobs.registry.CommitteeRegistry;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.models.committee.CommitteeVote;
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

	/**
	 * Beside {@link #FILE} when a committee scored the date: each member's own
	 * predictions, a row per member and input row (its version in the version column), so
	 * that the label join can weigh the members.
	 */
	static final String MEMBERS_FILE = "members.parquet";

	/**
	 * Beside {@link #FILE}, one per shadow version ({@code scoring.shadow}) that scored
	 * the date: {@code shadow-v<version>.parquet}, the version's own predictions of the
	 * same rows in the same order (its version in the version column). A shadow's
	 * predictions are kept, never served.
	 */
	static final String SHADOW_PREFIX = "shadow-v";

	private final PipelineCatalog catalog;

	private final ModelStore store;

	private final RetrainProperties props;

	private final CommitteeRegistry committees;

	private final ModelRegistry registry;

	ScoreStep(PipelineCatalog catalog, ModelStore store, RetrainProperties props, CommitteeRegistry committees,
			ModelRegistry registry) {
		this.catalog = catalog;
		this.store = store;
		this.props = props;
		this.committees = committees;
		this.registry = registry;
	}

	/** The file a shadow version's predictions of a date are in. */
	static String shadowFile(int version) {
		return SHADOW_PREFIX + version + ".parquet";
	}

	/**
	 * The version a shadow file holds, or null when {@code name} is not a shadow file's.
	 */
	static Integer shadowVersion(String name) {
		if (!name.startsWith(SHADOW_PREFIX) || !name.endsWith(".parquet")) {
			return null;
		}
		String digits = name.substring(SHADOW_PREFIX.length(), name.length() - ".parquet".length());
		return digits.matches("[0-9]{1,9}") ? Integer.valueOf(digits) : null;
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
		CommitteeRegistry.State committee = committee(def, version);
		if (committee != null) {
			Path membersTmp = Files.createTempFile(this.props.dataDir().toAbsolutePath(),
					"scoring-" + job.getId() + "-members-", ".parquet");
			List<ModelArtifact> members = new ArrayList<>();
			try {
				for (int v : committee.weights().versions()) {
					members.add(this.store.load(def.name(), v));
				}
				// derived features: each member's, from the days before the date, as in
				// training
				List<DerivedHistory> recent = new ArrayList<>();
				for (ModelArtifact m : members) {
					recent.add(m.recentHistory(input.root(), date));
				}
				Scored scored = score(input.baseForReading(), files, members, committee.weights().weights(), key,
						def.validation().maxUnseenCategoryRate(), tmp, membersTmp, recent);
				rows = scored.rows();
				summary.put("unseenCategoryRates", scored.unseenCategoryRates());
				Location target = partition(this.props, def, date).resolve(FILE);
				partition(this.props, def, date).resolve(MEMBERS_FILE).upload(membersTmp);
				target.upload(tmp);
				summary.put("output", target.uri());
				summary.put("committee", committee.byVersion());
				summary.put("committeeRevision", committee.revision());
			}
			finally {
				members.forEach(ModelArtifact::close);
				Files.deleteIfExists(tmp);
				Files.deleteIfExists(membersTmp);
			}
		}
		else {
			try (ModelArtifact artifact = this.store.load(def.name(), version)) {
				// derived features: from the labelled partitions of the days before the
				// date
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
		}
		summary.put("rows", rows);
		summary.put("files", files.size());
		summary.put("version", version);
		ExecutionContext context = chunk.getStepContext().getStepExecution().getExecutionContext();
		context.putLong("rows", rows);
		context.putString("output", (String) summary.get("output"));
		if (!def.scoring().shadow().isEmpty()) {
			String shadows = scoreShadows(def, date, version, input, files, key, job.getId());
			context.putString("shadow", shadows);
			log.info("shadows of {} for {}: {}", def.name(), date, shadows);
		}
		contribution.incrementWriteCount(rows);
		log.info("scored {} rows of {} for {} with {} into {}", rows, def.name(), date,
				(committee != null) ? "the committee " + committee.byVersion() : "v" + version, summary.get("output"));
		return RepeatStatus.FINISHED;
	}

	/**
	 * Scores the date with each shadow of {@code scoring.shadow} other than the served
	 * {@code version} (an alias is resolved now), each alone, into
	 * {@link #shadowFile(int)} beside the served predictions; a shadow file of a version
	 * no longer among them is removed, so the partition holds this scoring's shadows. A
	 * shadow that cannot score the date (an alias that points nowhere, a version whose
	 * files are gone, input it refuses) is left out and said why: it never fails the
	 * served scoring. Returns what happened, in words.
	 */
	private String scoreShadows(PipelineDefinition def, LocalDate date, int version, PartitionedDirectory input,
			List<DataFile> files, String key, long jobId) throws IOException {
		Map<Integer, String> versions = new LinkedHashMap<>();
		List<String> notes = new ArrayList<>();
		for (String entry : def.scoring().shadow()) {
			Integer v = entry.chars().allMatch(Character::isDigit) ? Integer.valueOf(entry)
					: this.registry.alias(def.name(), entry).orElse(null);
			if (v == null) {
				notes.add("'" + entry + "' points at no version: not scored");
			}
			else if (v == version) {
				notes.add("'" + entry + "' is v" + v + ", the version served: not scored twice");
			}
			else if (this.registry.version(def.name(), v).isEmpty()) {
				notes.add("'" + entry + "': v" + v + " is not registered: not scored");
			}
			else {
				versions.putIfAbsent(v, entry);
			}
		}
		Location partition = partition(this.props, def, date);
		List<Integer> scored = new ArrayList<>();
		for (Map.Entry<Integer, String> e : versions.entrySet()) {
			int v = e.getKey();
			Path tmp = Files.createTempFile(this.props.dataDir().toAbsolutePath(),
					"scoring-" + jobId + "-shadow-" + v + "-", ".parquet");
			try (ModelArtifact shadow = this.store.load(def.name(), v)) {
				// a shadow's input checks are its own business: it scores whatever it
				// can read (1.0: no share of unseen categories refuses it)
				score(input.baseForReading(), files, shadow, key, 1.0, tmp, shadow.recentHistory(input.root(), date));
				partition.resolve(shadowFile(v)).upload(tmp);
				scored.add(v);
			}
			catch (IOException | RuntimeException ex) {
				notes.add("v" + v + " ('" + e.getValue() + "') could not score the date: " + ex.getMessage());
				log.warn("shadow v{} of {} did not score {}: {}", v, def.name(), date, ex.getMessage());
			}
			finally {
				Files.deleteIfExists(tmp);
			}
		}
		for (Location f : partition.files()) {
			Integer v = shadowVersion(f.name());
			if (v != null && !scored.contains(v)) {
				f.deleteAll();
			}
		}
		String done = scored.isEmpty() ? "no shadow scored"
				: "shadows scored: " + scored.stream().map(v -> "v" + v).toList();
		return notes.isEmpty() ? done : done + "; " + String.join("; ", notes);
	}

	/**
	 * The committee that scores the date instead of {@code version}: when the pipeline
	 * has a {@code promotion.committee} and {@code version} is its newest member (the
	 * champion); null otherwise (another version is scored alone).
	 */
	private CommitteeRegistry.State committee(PipelineDefinition def, int version) {
		if (def.committee() == null) {
			return null;
		}
		CommitteeRegistry.State state = this.committees.current(def.name()).orElse(null);
		if (state == null || state.weights().isEmpty()) {
			return null;
		}
		List<Integer> members = state.weights().versions();
		return (members.get(members.size() - 1) == version) ? state : null;
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
		return score(inputRoot, files, List.of(artifact), new double[] { 1.0 }, key, maxUnseen, out, null,
				List.of(recent));
	}

	/**
	 * The same with a committee: each slice scored by every member with a weight (its
	 * derived features from its own {@code recent} history), the weighted vote
	 * ({@link CommitteeVote}) written to {@code out} under the newest member's version,
	 * and, when {@code membersOut} is not null, each member's own predictions to it. The
	 * input is checked against the newest member's encoders.
	 */
	static Scored score(Location inputRoot, List<DataFile> files, List<ModelArtifact> members, double[] weights,
			String key, double maxUnseen, Path out, Path membersOut, List<DerivedHistory> recent) throws IOException {
		ModelArtifact artifact = members.get(members.size() - 1);
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
		try (PredictionsWriter writer = new PredictionsWriter(out, key != null, task != Task.REGRESSION, 8L << 20);
				PredictionsWriter each = (membersOut != null)
						? new PredictionsWriter(membersOut, key != null, task != Task.REGRESSION, 8L << 20) : null) {
			for (DataFile file : files) {
				reader.read(file, columns, SLICE_ROWS, slice -> {
					unseen.count(file.path(), slice);
					String[] keys = (key != null) ? slice.strings(key).values() : null;
					Predictions predictions;
					try {
						if (members.size() == 1) {
							predictions = artifact.predict(slice, recent.get(0));
						}
						else {
							List<Predictions> scored = new ArrayList<>();
							for (int i = 0; i < members.size(); i++) {
								ModelArtifact m = members.get(i);
								Predictions p = m.predict(slice, recent.get(i));
								scored.add(p);
								if (each != null) {
									each.append(keys, m.metadata().version(), scores(p), labels(p, classes),
											slice.rows());
								}
							}
							predictions = CommitteeVote.vote(scored, weights);
						}
						writer.append(keys, version, scores(predictions), labels(predictions, classes), slice.rows());
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

	/** Each row's predicted class, null for regression. */
	private static String[] labels(Predictions p, List<String> classes) {
		if (p.task() == Task.REGRESSION) {
			return null;
		}
		String[] labels = new String[p.rows()];
		for (int r = 0; r < labels.length; r++) {
			labels[r] = classes.get(p.predictedClass(r));
		}
		return labels;
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

package dev.retrain.jobs.retrain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.json.Json;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.profile.ReferenceProfile;
import dev.retrain.models.search.CandidateSettings;
import dev.retrain.models.search.SearchResult;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.ClassWeights;
import dev.retrain.models.training.EpochListener;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.LoadedModel;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelTrainer;
import dev.retrain.models.training.ParquetTrainingSource;
import dev.retrain.models.training.TrainingData;
import dev.retrain.models.training.TrainingFailed;
import dev.retrain.models.training.TrainingResult;
import dev.retrain.models.training.TrainingSource;

/**
 * Step 3: train a candidate, from scratch or warm-started from the champion (fine-tune),
 * checkpointing every epoch in the run's workspace so that a restarted run resumes where
 * it stopped.
 */
class TrainStep implements Tasklet {

	private static final Logger log = LoggerFactory.getLogger(TrainStep.class);

	private final StepInputsFactory inputs;

	private final RunRecords runs;

	private final ModelRegistry registry;

	private final ModelStore store;

	private final ModelTrainer trainer;

	private final EpochListener observer;

	/**
	 * Whether someone asked the run to stop (read from the job repository, so a stop on
	 * any node counts).
	 */
	private final java.util.function.LongPredicate stopRequested;

	/** Thrown out of the training loop when a stop was requested. */
	static final class TrainingStopped extends RuntimeException {

		TrainingStopped(String message) {
			super(message);
		}

	}

	/**
	 * At most this many training rows (and as many holdout rows) are kept as a version's
	 * reference sample.
	 */
	static final int REFERENCE_ROWS = 50_000;

	/**
	 * A rough size of one decoded cell (a double, or a short string and its reference).
	 */
	private static final long DECODED_CELL_BYTES = 24;

	/**
	 * Encoded training rows up to this many bytes are held in memory; more are streamed
	 * every epoch.
	 */
	private final long memoryBytes;

	TrainStep(StepInputsFactory inputs, RunRecords runs, ModelRegistry registry, ModelStore store, ModelTrainer trainer,
			EpochListener observer, java.util.function.LongPredicate stopRequested, long memoryBytes) {
		this.stopRequested = stopRequested;
		this.memoryBytes = memoryBytes;
		this.inputs = inputs;
		this.runs = runs;
		this.registry = registry;
		this.store = store;
		this.trainer = trainer;
		this.observer = observer;
	}

	/**
	 * How this run trains: the mode actually used and why, and what a fine-tune starts
	 * from.
	 */
	private record Plan(Mode mode, String reason, ArtifactMetadata parent, Path warmStart) {
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) throws JobInterruptedException {
		StepInputs s = this.inputs.of(chunk);
		RunContext run = s.run();
		PipelineDefinition def = s.def();
		RunWorkspace ws = s.ws();
		WindowPlan plan = s.plan();
		List<ColumnRequest> columns = WindowPlan.columns(def, List.of());

		// one pass: the labels seen in training, the encodings, and the rows kept as the
		// reference sample
		int trainRows = (int) plan.trainRows();
		long seed = def.hyperparameters().seed();
		WindowPlan.Picker referenceTrain = plan.new Picker(WindowPlan.TRAIN,
				ReferenceSample.sample(trainRows, REFERENCE_ROWS, seed));
		int primary = plan.holdoutNames().indexOf(def.primaryHoldout().name());
		boolean goldenPrimary = plan.isGolden(primary);
		WindowPlan.Picker windowHoldout = goldenPrimary ? null : plan.new Picker((byte) (primary + 1),
				ReferenceSample.sample((int) plan.windowHoldoutRows(primary), REFERENCE_ROWS, seed + 1));
		Set<String> seenLabels = new HashSet<>();
		FeatureEncoder.Fitter fitter = new FeatureEncoder.Fitter(def.features());
		// training rows are held in memory when they fit (decoded in half the bound, then
		// encoded in the bound);
		// otherwise they are streamed from Parquet every epoch
		List<Table> kept = ((long) trainRows * columns.size() * DECODED_CELL_BYTES <= this.memoryBytes / 2)
				? new ArrayList<>() : null;
		// the window position of each kept row (a search trains candidates on days of it)
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
			referenceTrain.add(slice, first);
			if (windowHoldout != null) {
				windowHoldout.add(slice, first);
			}
		});
		Table trainSample = referenceTrain.table(columns);
		WindowPlan.Picker referenceHoldout = windowHoldout;
		if (goldenPrimary) {
			String golden = def.primaryHoldout().name();
			WindowPlan.Picker picker = plan.new Picker(WindowPlan.ANY,
					ReferenceSample.sample((int) plan.goldenRows(golden), REFERENCE_ROWS, seed + 1));
			plan.golden(golden, columns, slice -> picker.add(slice, 0));
			referenceHoldout = picker;
		}
		Table holdoutSample = referenceHoldout.table(columns);

		LabelEncoding fittedLabel = LabelEncoding.of(def.labelColumn(), def.task(), def.classes(), seenLabels);
		Plan how = plan(def, run, fittedLabel);
		this.runs.mode(run.runId(), how.mode().name(), how.reason());
		FeatureEncoder encoder = (how.parent() != null) ? new FeatureEncoder(how.parent().features())
				: fitter.encoder();
		LabelEncoding label = (how.parent() != null) ? how.parent().label() : fittedLabel;
		Hyperparameters hp = (how.mode() == Mode.FINETUNE)
				? def.hyperparameters().withEpochsAndLearningRate(def.finetuneEpochs(), def.finetuneLearningRate())
				: def.hyperparameters();

		ModelShape shape = new ModelShape(def.task(), def.family(), def.hiddenLayers(), encoder.width(),
				label.outputs());
		long encodedBytes = (long) trainRows * (encoder.width() * 4L + 12L);
		SearchResult searched = null;
		LongPredicate window = null;
		if (def.search() != null) {
			if (kept == null || encodedBytes > this.memoryBytes) {
				throw new DataValidationFailed(null, null, "search: the window's " + trainRows
						+ " training rows do not fit the in-memory bound (retrain.training-memory, "
						+ (this.memoryBytes >> 20) + " MiB); a search needs them in memory: shorten data.window-days "
						+ "or raise the bound");
			}
			Chosen chosen = search(def, run, ws, plan, kept, keptRows, fitter.encoder(), fittedLabel);
			searched = chosen.result();
			if (chosen.how() != null) {
				how = chosen.how();
				this.runs.mode(run.runId(), how.mode().name(), how.reason());
				encoder = chosen.encoder();
				label = chosen.label();
				hp = chosen.hp();
				shape = chosen.shape();
				long from = chosen.fromDay();
				window = r -> plan.day(r) >= from;
			}
			this.runs.detail(run.runId(), "search", searched);
		}
		TrainingSource training = (kept != null && encodedBytes <= this.memoryBytes)
				? inMemory(kept, keptRows, encoder, label, hp, window) : ParquetTrainingSource.open(plan.root(),
						plan.files(), def.features(), encoder, label, hp, r -> plan.part(r) == WindowPlan.TRAIN);
		boolean streamed = !(training instanceof TrainingData);
		if (kept != null) {
			kept.clear();
		}
		Map<String, Object> source = new LinkedHashMap<>();
		source.put("rows", trainRows);
		source.put("encodedBytes", encodedBytes);
		source.put("inMemoryBoundBytes", this.memoryBytes);
		source.put("streamed", streamed);
		this.runs.detail(run.runId(), "trainingData", source);
		this.runs.progress(run.runId(),
				String.format(Locale.ROOT, "training on %d rows (%s)", trainRows,
						streamed ? "streamed from Parquet every epoch: they do not fit the " + (this.memoryBytes >> 20)
								+ " MiB in-memory bound (" + (encodedBytes >> 20) + " MiB encoded)"
								: "held in memory"));
		EpochListener progress = (epoch, total, stats) -> {
			if (this.stopRequested.test(run.runId())) {
				throw new TrainingStopped("stopped on request after epoch " + epoch + " (the checkpoint is kept: "
						+ "restart the run to resume)");
			}
			// without early stopping (patience 0) no rows are held out for validation: no
			// validation loss to show
			this.runs.progress(run.runId(), String.format(Locale.ROOT, "training: epoch %d of %d, train loss %.5f",
					epoch, total, stats.trainLoss())
					+ (Double.isFinite(stats.validationLoss())
							? String.format(Locale.ROOT, ", validation loss %.5f", stats.validationLoss()) : ""));
			// with a workspace in object storage, each checkpoint goes there at once: a
			// worker that takes this step over resumes from it
			ws.push(ws.training());
			this.observer.epochCompleted(epoch, total, stats);
		};
		TrainingResult result;
		try {
			result = this.trainer
				.train(new ModelTrainer.Request(shape, hp, training, how.warmStart(), ws.training(), progress));
		}
		catch (TrainingStopped ex) {
			throw new JobInterruptedException(ex.getMessage());
		}

		// the profile describes the reference sample: every training row up to
		// REFERENCE_ROWS, a uniform sample beyond
		ReferenceProfile profile;
		try (LoadedModel model = LoadedModel.load(shape, ws.training().resolve(ModelTrainer.FINAL_PARAMS))) {
			Predictions predictions = model.predict(encoder, trainSample);
			profile = ReferenceProfile.of(trainSample, def.features(), predictions);
		}
		CandidateInfo info = new CandidateInfo(how.mode().name(), how.reason(),
				(how.parent() != null) ? how.parent().version() : null, encoder.encodings(), label, shape, hp, result,
				profile, searched);
		writeReference(def, trainSample, holdoutSample, ws);
		Json.write(ws.candidate(), info);
		this.runs.detail(run.runId(), "training", result);
		String trained = String.format(Locale.ROOT, "trained %d epochs (best %d) on %d rows at %.0f samples/s",
				result.curve().size(), result.bestEpoch(), result.trainRows(), result.samplesPerSecond());
		this.runs.progress(run.runId(), trained);
		log.info("{} ({})", trained, how.reason());
		contribution.incrementWriteCount(1);
		return RepeatStatus.FINISHED;
	}

	/**
	 * What a search chose: how the final model trains (its mode, encoders, settings and
	 * shape), the first day of its window, and the search's record.
	 */
	private record Chosen(Plan how, FeatureEncoder encoder, LabelEncoding label, Hyperparameters hp, ModelShape shape,
			long fromDay, SearchResult result) {
	}

	/**
	 * Trains every candidate of the pipeline's search on its window less the newest
	 * {@code selection-days}, scores each on those days with the promotion metric, and
	 * returns the winner's settings (the final model is trained on its whole window).
	 * Each candidate checkpoints in a directory of its own, so a restarted run resumes
	 * the search where it stopped; with the same seed it chooses the same winner.
	 */
	private Chosen search(PipelineDefinition def, RunContext run, RunWorkspace ws, WindowPlan plan, List<Table> kept,
			List<long[]> keptRows, FeatureEncoder encoder, LabelEncoding fittedLabel) throws JobInterruptedException {
		PipelineDefinition.Search search = def.search();
		Metric metric = def.promotion().metric();
		long asOf = run.asOf().toEpochDay();
		// the newest days of training data (an out-of-time holdout's days are not
		// training data: they stay the holdout's)
		long newest = Long.MIN_VALUE;
		for (long[] positions : keptRows) {
			for (long r : positions) {
				newest = Math.max(newest, plan.day(r));
			}
		}
		long selectionFrom = newest - search.selectionDays() + 1;
		long oldest = Long.MAX_VALUE;
		for (long[] positions : keptRows) {
			for (long r : positions) {
				oldest = Math.min(oldest, plan.day(r));
			}
		}
		if (oldest >= selectionFrom) {
			// a young pipeline (or a backtest's warm-up): no day is left to train
			// candidates
			// on; the model's own settings train, and the record says why
			String why = "the training data spans " + (newest - oldest + 1) + " days: holding out the newest "
					+ search.selectionDays() + " (search.selection-days) leaves none to train candidates on; "
					+ "the model's own settings trained";
			log.info("search skipped: {}", why);
			return new Chosen(null, null, null, null, null, Long.MIN_VALUE,
					new SearchResult(metric.key(), search.space().strategy().name().toLowerCase(Locale.ROOT),
							search.space().seed(), search.selectionDays(), 0, List.of(), -1, 0, why));
		}
		Table selection = selectRows(kept, keptRows, r -> plan.day(r) >= selectionFrom);
		int needed = Math.max(1, def.validation().minHoldoutRows());
		if (selection == null || selection.rows() < needed) {
			throw new DataValidationFailed(null, null,
					"search.selection-days: the newest " + search.selectionDays() + " days of training data hold "
							+ ((selection == null) ? 0 : selection.rows()) + " training rows; choosing needs at least "
							+ needed + " (validation.min-holdout-rows)");
		}
		List<CandidateSettings> candidates = search.space().candidates();
		List<SearchResult.Tried> tried = new ArrayList<>();
		List<Plan> plans = new ArrayList<>();
		long started = System.nanoTime();
		int skipped = 0;
		for (CandidateSettings c : candidates) {
			double spent = (System.nanoTime() - started) / 1e9;
			if (!tried.isEmpty() && spent >= search.maxTrainingSeconds()) {
				skipped++;
				continue;
			}
			long candidateStart = System.nanoTime();
			long from = asOf - c.windowDays() + 1;
			LongPredicate rows = r -> {
				long day = plan.day(r);
				return day >= from && day < selectionFrom;
			};
			Plan how = c.fineTune() ? plan(def, Mode.FINETUNE, "a search candidate", fittedLabel)
					: new Plan(Mode.RETRAIN, "retrain: candidate " + c.index() + " of a search", null, null);
			plans.add(how);
			if (c.fineTune() && how.mode() != Mode.FINETUNE) {
				tried.add(new SearchResult.Tried(c, 0, 0, 0, Double.NaN, 0, how.reason()));
				continue;
			}
			FeatureEncoder enc = c.fineTune() ? new FeatureEncoder(how.parent().features()) : encoder;
			LabelEncoding lab = c.fineTune() ? how.parent().label() : fittedLabel;
			Hyperparameters hp = def.hyperparameters().with(c.epochs(), c.learningRate(), c.weightDecay());
			ModelShape shape = c.fineTune() ? how.parent().shape()
					: new ModelShape(def.task(), def.family(), c.hiddenLayers(), enc.width(), lab.outputs());
			try {
				TrainingData data = inMemory(kept, keptRows, enc, lab, hp, rows);
				String what = String.format(Locale.ROOT, "search: candidate %d of %d (%s)", c.index() + 1,
						candidates.size(), c.describe());
				this.runs.progress(run.runId(), what + " on " + data.rows() + " rows");
				Path dir = ws.training().resolve("search").resolve("c" + c.index());
				TrainingResult r = this.trainer
					.train(new ModelTrainer.Request(shape, hp, data, how.warmStart(), dir, progress(run, ws, what)));
				double score;
				try (LoadedModel model = LoadedModel.load(shape, dir.resolve(ModelTrainer.FINAL_PARAMS))) {
					score = Metrics.compute(model.predict(enc, selection), lab.encode(selection)).get(metric.key());
				}
				tried.add(new SearchResult.Tried(c, data.rows(), r.curve().size(), r.bestEpoch(), score,
						(System.nanoTime() - candidateStart) / 1e9, null));
				log.info("{}: {} {} on the newest {} days", what, metric.key(),
						String.format(Locale.ROOT, "%.4f", score), search.selectionDays());
			}
			catch (TrainingStopped ex) {
				throw new JobInterruptedException(ex.getMessage());
			}
			catch (TrainingFailed | DataValidationFailed ex) {
				tried.add(new SearchResult.Tried(c, 0, 0, 0, Double.NaN, (System.nanoTime() - candidateStart) / 1e9,
						ex.getMessage()));
			}
		}
		int winner = -1;
		for (int i = 0; i < tried.size(); i++) {
			double score = tried.get(i).score();
			if (Double.isFinite(score) && (winner < 0 || metric.improvement(score, tried.get(winner).score()) > 0)) {
				winner = i;
			}
		}
		if (winner < 0) {
			throw new TrainingFailed("search: no candidate could be trained and scored: "
					+ tried.stream().map(t -> t.settings().describe() + ": " + t.failed()).toList());
		}
		SearchResult.Tried best = tried.get(winner);
		CandidateSettings c = best.settings();
		SearchResult result = new SearchResult(metric.key(), search.space().strategy().name().toLowerCase(Locale.ROOT),
				search.space().seed(), search.selectionDays(), selection.rows(), tried, c.index(), skipped, null);
		Plan how = plans.get(winner);
		String reason = String.format(Locale.ROOT, "search: candidate %d of %d won (%s; %s %.4f on the newest %d days)",
				c.index() + 1, candidates.size(), c.describe(), metric.key(), best.score(), search.selectionDays());
		Plan chosen = new Plan(how.mode(), reason + ((how.mode() == Mode.FINETUNE) ? "; " + how.reason() : ""),
				how.parent(), how.warmStart());
		FeatureEncoder enc = c.fineTune() ? new FeatureEncoder(how.parent().features()) : encoder;
		LabelEncoding lab = c.fineTune() ? how.parent().label() : fittedLabel;
		ModelShape shape = c.fineTune() ? how.parent().shape()
				: new ModelShape(def.task(), def.family(), c.hiddenLayers(), enc.width(), lab.outputs());
		return new Chosen(chosen, enc, lab, def.hyperparameters().with(c.epochs(), c.learningRate(), c.weightDecay()),
				shape, asOf - c.windowDays() + 1, result);
	}

	/** {@code what} epoch by epoch in the run's progress, and a stop request honoured. */
	private EpochListener progress(RunContext run, RunWorkspace ws, String what) {
		return (epoch, total, stats) -> {
			if (this.stopRequested.test(run.runId())) {
				throw new TrainingStopped("stopped on request after epoch " + epoch + " of " + what
						+ " (the checkpoint is kept: restart the run to resume)");
			}
			this.runs.progress(run.runId(), String.format(Locale.ROOT, "%s: epoch %d of %d, train loss %.5f", what,
					epoch, total, stats.trainLoss()));
			ws.push(ws.training());
		};
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

	/**
	 * The training rows kept by the first pass whose window position {@code include}
	 * accepts (null: all), encoded into arrays in window order.
	 */
	private static TrainingData inMemory(List<Table> kept, List<long[]> keptRows, FeatureEncoder encoder,
			LabelEncoding label, Hyperparameters hp, LongPredicate include) {
		List<Table> parts = (include != null) ? filtered(kept, keptRows, include) : kept;
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

	/** The rows kept by the first pass that {@code include} accepts, as one table. */
	private static Table selectRows(List<Table> kept, List<long[]> keptRows, LongPredicate include) {
		List<Table> parts = filtered(kept, keptRows, include);
		return parts.isEmpty() ? null : Table.concat(parts);
	}

	/** The kept parts cut to the rows {@code include} accepts (empty ones left out). */
	private static List<Table> filtered(List<Table> kept, List<long[]> keptRows, LongPredicate include) {
		List<Table> parts = new ArrayList<>();
		for (int k = 0; k < kept.size(); k++) {
			long[] positions = keptRows.get(k);
			int[] pick = new int[positions.length];
			int m = 0;
			for (int i = 0; i < positions.length; i++) {
				if (include.test(positions[i])) {
					pick[m++] = i;
				}
			}
			if (m == positions.length) {
				parts.add(kept.get(k));
			}
			else if (m > 0) {
				parts.add(kept.get(k).select(Arrays.copyOf(pick, m)));
			}
		}
		return parts;
	}

	/**
	 * The rows drift checks will compare against: a sample of training rows, and of the
	 * primary holdout.
	 */
	private static void writeReference(PipelineDefinition def, Table train, Table holdout, RunWorkspace ws) {
		try {
			ReferenceSample.write(ws.reference(), train, holdout, def.features(), def.labelColumn(),
					def.task() == Task.REGRESSION, REFERENCE_ROWS, def.hyperparameters().seed());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the reference sample " + ws.reference(), ex);
		}
	}

	private Plan plan(PipelineDefinition def, RunContext run, LabelEncoding fittedLabel) {
		Mode requested = (run.requestedMode() != null) ? Mode.valueOf(run.requestedMode().toUpperCase(Locale.ROOT))
				: def.mode();
		String asked = (run.requestedMode() != null) ? "requested for this run" : "the pipeline's mode";
		return plan(def, requested, asked, fittedLabel);
	}

	private Plan plan(PipelineDefinition def, Mode requested, String asked, LabelEncoding fittedLabel) {
		if (requested == Mode.RETRAIN) {
			return new Plan(Mode.RETRAIN, "retrain: " + asked, null, null);
		}
		Optional<Integer> champion = this.registry.champion(def.name());
		if (champion.isEmpty()) {
			return new Plan(Mode.RETRAIN,
					"fine-tune (" + asked + ") but there is no champion yet: trained from scratch", null, null);
		}
		ArtifactMetadata parent = this.store.metadata(def.name(), champion.get());
		List<String> now = def.features().stream().map(f -> f.name() + ":" + f.type()).toList();
		List<String> then = parent.features().stream().map(f -> f.name() + ":" + f.type()).toList();
		List<String> changes = new ArrayList<>();
		if (!now.equals(then)) {
			changes.add("features changed from " + then + " to " + now);
		}
		if (!parent.label().column().equals(def.labelColumn()) || parent.label().task() != def.task()) {
			changes.add("label changed");
		}
		if (fittedLabel.classes() != null
				&& !new HashSet<>(parent.label().classes()).containsAll(fittedLabel.classes())) {
			changes.add("classes changed from " + parent.label().classes() + " to " + fittedLabel.classes());
		}
		if (parent.shape().family() != def.family()
				|| (def.search() == null && !parent.shape().hiddenLayers().equals(def.hiddenLayers()))) {
			changes.add("model structure changed");
		}
		if (!changes.isEmpty()) {
			return new Plan(Mode.RETRAIN, "fine-tune (" + asked + ") but the schema changed since champion v"
					+ champion.get() + " (" + String.join("; ", changes) + "): trained from scratch", null, null);
		}
		return new Plan(Mode.FINETUNE, "fine-tuned from champion v" + champion.get(), parent,
				this.store.versionDir(def.name(), champion.get()).resolve(ModelStore.PARAMS));
	}

}

package dev.retrain.jobs.retrain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
import dev.retrain.jobs.runs.RunViews;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.features.Task;
import dev.retrain.models.json.Json;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.plugins.ModelPlugins;
import dev.retrain.models.profile.ReferenceProfile;
import dev.retrain.models.search.CandidateSettings;
import dev.retrain.models.search.SearchResult;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.EpochListener;
import dev.retrain.models.training.EpochStats;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.LoadedModel;
import dev.retrain.models.training.ModelFamily;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelSource;
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
	private final LongPredicate stopRequested;

	/** Thrown out of the training loop when a stop was requested. */
	/** How often the curve so far is written to the run's details. */
	private static final long CURVE_EVERY_NANOS = 1_000_000_000L;

	static final class TrainingStopped extends RuntimeException {

		TrainingStopped(String message) {
			super(message);
		}

	}

	/**
	 * Encoded training rows up to this many bytes are held in memory; more are streamed
	 * every epoch.
	 */
	private final long memoryBytes;

	TrainStep(StepInputsFactory inputs, RunRecords runs, ModelRegistry registry, ModelStore store, ModelTrainer trainer,
			EpochListener observer, LongPredicate stopRequested, long memoryBytes) {
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
	record Plan(Mode mode, String reason, ArtifactMetadata parent, Path warmStart) {
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) throws JobInterruptedException {
		StepInputs s = this.inputs.of(chunk);
		RunContext run = s.run();
		PipelineDefinition def = s.def();
		RunWorkspace ws = s.ws();
		WindowPlan plan = s.plan();
		TrainingWindow window = TrainingWindow.read(def, plan, this.memoryBytes, true);
		int trainRows = window.trainRows;
		List<Table> kept = window.kept;
		FeatureEncoder.Fitter fitter = window.fitter;
		Table trainSample = window.trainSample;
		Table holdoutSample = window.holdoutSample;

		LabelEncoding fittedLabel = window.label(def);
		Plan how = plan(def, run, fittedLabel);
		this.runs.mode(run.runId(), how.mode().name(), how.reason());
		FeatureEncoder encoder = (how.parent() != null) ? new FeatureEncoder(how.parent().features())
				: fitter.encoder();
		LabelEncoding label = (how.parent() != null) ? how.parent().label() : fittedLabel;
		Hyperparameters hp = (how.mode() == Mode.FINETUNE)
				? def.hyperparameters().withEpochsAndLearningRate(def.finetuneEpochs(), def.finetuneLearningRate())
				: def.hyperparameters();

		ModelShape shape = def.shape(def.hiddenLayers(), encoder.width(), label.outputs());
		long encodedBytes = (long) trainRows * (encoder.width() * 4L + 12L);
		SearchResult searched = null;
		LongPredicate from = null;
		if (def.search() != null) {
			Chosen chosen = chosen(def, run, ws, fitter.encoder(), fittedLabel);
			searched = chosen.result();
			if (chosen.how() != null) {
				how = chosen.how();
				this.runs.mode(run.runId(), how.mode().name(), how.reason());
				encoder = chosen.encoder();
				label = chosen.label();
				hp = chosen.hp();
				shape = chosen.shape();
				long fromDay = chosen.fromDay();
				from = r -> plan.day(r) >= fromDay;
			}
			this.runs.detail(run.runId(), "search", searched);
		}
		if (!def.derived().isEmpty() && !(kept != null && encodedBytes <= this.memoryBytes)) {
			throw new DataValidationFailed(null, null, "derived features need the window's training rows in memory "
					+ "(retrain.training-memory): " + trainRows + " rows are too many to hold");
		}
		TrainingSource training = (kept != null && encodedBytes <= this.memoryBytes)
				? window.encoded(encoder, label, hp, from) : ParquetTrainingSource.open(plan.root(), plan.files(),
						def.features(), encoder, label, hp, r -> plan.part(r) == WindowPlan.TRAIN);
		boolean streamed = !(training instanceof TrainingData);
		window.release();
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
		// the curve so far, recorded with each epoch so that the run's page draws it
		// while
		// the run trains (after a resumption: from the epoch it resumed at)
		List<EpochStats> soFar = new ArrayList<>();
		long[] curveWritten = { System.nanoTime() - CURVE_EVERY_NANOS };
		EpochListener progress = (epoch, total, stats) -> {
			// a worker whose step another worker took over stops here, before writing
			// its progress or pushing its checkpoint
			s.stillHeld();
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
			soFar.add(stats);
			// the curve so far, for the run page: at most once a second (it rewrites the
			// run's details), and at the last epoch
			long now = System.nanoTime();
			if (epoch == total || now - curveWritten[0] >= CURVE_EVERY_NANOS) {
				curveWritten[0] = now;
				Map<String, Object> curve = new LinkedHashMap<>();
				curve.put("totalEpochs", total);
				curve.put("curve", soFar);
				this.runs.detail(run.runId(), RunViews.TRAINING_PROGRESS, curve);
			}
			// with a workspace in object storage, each checkpoint goes there at once: a
			// worker that takes this step over resumes from it
			ws.push(ws.training());
			this.observer.epochCompleted(epoch, total, stats);
		};
		Path warmStart = how.warmStart();
		if (shape.isTorchScript()) {
			ModuleFile.Start start = s.moduleFile().start(shape, how.parent(), warmStart, encoder.columns());
			shape = start.shape();
			warmStart = start.file();
		}
		else if (shape.isPlugin()) {
			// a fine-tune keeps the champion's plugin jar and layout (plan() made sure
			// this process has that jar), a retrain takes the installed one
			shape = (how.parent() != null) ? shape.withSource(how.parent().shape().source())
					: shape.withInstalledPlugin(encoder.encodings());
		}
		TrainingResult result;
		try {
			result = this.trainer
				.train(new ModelTrainer.Request(shape, hp, training, warmStart, ws.training(), progress));
		}
		catch (TrainingStopped ex) {
			throw new JobInterruptedException(ex.getMessage());
		}

		// the profile describes the reference sample: every training row up to
		// TrainingWindow.REFERENCE_ROWS, a uniform sample beyond
		ReferenceProfile profile;
		try (LoadedModel model = LoadedModel.load(shape, ws.training().resolve(ModelTrainer.FINAL_PARAMS))) {
			Predictions predictions = model.predict(encoder, trainSample);
			profile = ReferenceProfile.of(trainSample, def.features(), predictions);
		}
		CandidateInfo info = new CandidateInfo(how.mode().name(), how.reason(),
				(how.parent() != null) ? how.parent().version() : null, encoder.encodings(), label, shape, hp, result,
				profile, searched, (plan.derived() != null) ? plan.derived().state() : null);
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
	 * Why a plugin's champion cannot be fine-tuned here, if it cannot: another plugin or
	 * other parameters in the file, or this process has another jar of the plugin (the
	 * champion's weights belong to the code that trained them).
	 */
	private static Optional<String> pluginChange(ModelSource now, ModelSource then) {
		if (then == null || !now.plugin().equals(then.plugin())) {
			return Optional.of("the model is now plugin " + now.plugin());
		}
		if (!now.params().equals(then.params())) {
			return Optional.of("model.params changed from " + then.params() + " to " + now.params());
		}
		ModelPlugins.Plugin installed = ModelPlugins.installed().get(now.plugin());
		if (installed != null && !installed.sha256().equals(then.sha256())) {
			return Optional
				.of("plugin " + now.plugin() + " is now version " + installed.version() + " from " + installed.jar()
						+ ", the champion was trained by version " + then.version() + " from " + then.location());
		}
		return Optional.empty();
	}

	/**
	 * What a search chose: how the final model trains (its mode, encoders, settings and
	 * shape), the first day of its window, and the search's record.
	 */
	private record Chosen(Plan how, FeatureEncoder encoder, LabelEncoding label, Hyperparameters hp, ModelShape shape,
			long fromDay, SearchResult result) {
	}

	/**
	 * The search's choice: every candidate's outcome, as the {@code search} step's
	 * partitions left them in the workspace ({@link CandidateStep}), and the winner's
	 * settings (the final model trains on its whole window). The same scores give the
	 * same winner: the first best in candidate order.
	 */
	private Chosen chosen(PipelineDefinition def, RunContext run, RunWorkspace ws, FeatureEncoder encoder,
			LabelEncoding fittedLabel) {
		PipelineDefinition.Search search = def.search();
		Metric metric = def.promotion().metric();
		String strategy = search.space().strategy().name().toLowerCase(Locale.ROOT);
		List<CandidateSettings> candidates = search.space().candidates();
		List<SearchResult.Tried> tried = new ArrayList<>();
		int skipped = 0;
		long selectionRows = 0;
		for (CandidateSettings c : candidates) {
			Path file = CandidateStep.dir(ws, c.index()).resolve(CandidateStep.OUTCOME);
			if (!Files.exists(file)) {
				throw new IllegalStateException("search: candidate " + c.index() + " left no outcome (" + file
						+ "): the search step did not complete");
			}
			CandidateStep.Outcome outcome = Json.read(file, CandidateStep.Outcome.class);
			if (outcome.notSearched() != null) {
				log.info("search skipped: {}", outcome.notSearched());
				return new Chosen(null, null, null, null, null, Long.MIN_VALUE, new SearchResult(metric.key(), strategy,
						search.space().seed(), search.selectionDays(), 0, List.of(), -1, 0, outcome.notSearched()));
			}
			if (outcome.skipped()) {
				skipped++;
				continue;
			}
			tried.add(outcome.tried());
			selectionRows = outcome.selectionRows();
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
		SearchResult result = new SearchResult(metric.key(), strategy, search.space().seed(), search.selectionDays(),
				selectionRows, tried, c.index(), skipped, null);
		Plan how = c.fineTune() ? plan(this.registry, this.store, def, Mode.FINETUNE, "a search candidate", fittedLabel)
				: new Plan(Mode.RETRAIN, "retrain: candidate " + c.index() + " of a search", null, null);
		String reason = String.format(Locale.ROOT, "search: candidate %d of %d won (%s; %s %.4f on the newest %d days)",
				c.index() + 1, candidates.size(), c.describe(), metric.key(), best.score(), search.selectionDays());
		Plan chosen = new Plan(how.mode(), reason + ((how.mode() == Mode.FINETUNE) ? "; " + how.reason() : ""),
				how.parent(), how.warmStart());
		FeatureEncoder enc = c.fineTune() ? new FeatureEncoder(how.parent().features()) : encoder;
		LabelEncoding lab = c.fineTune() ? how.parent().label() : fittedLabel;
		ModelShape shape = c.fineTune() ? how.parent().shape()
				: def.shape(c.hiddenLayers(), enc.width(), lab.outputs());
		return new Chosen(chosen, enc, lab, def.hyperparameters().with(c.epochs(), c.learningRate(), c.weightDecay()),
				shape, run.asOf().toEpochDay() - c.windowDays() + 1, result);
	}

	/**
	 * The rows drift checks will compare against: a sample of training rows, and of the
	 * primary holdout.
	 */
	private static void writeReference(PipelineDefinition def, Table train, Table holdout, RunWorkspace ws) {
		try {
			ReferenceSample.write(ws.reference(), train, holdout, def.modelFeatures(), def.labelColumn(),
					def.task() == Task.REGRESSION, TrainingWindow.REFERENCE_ROWS, def.hyperparameters().seed());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the reference sample " + ws.reference(), ex);
		}
	}

	private Plan plan(PipelineDefinition def, RunContext run, LabelEncoding fittedLabel) {
		Mode requested = (run.requestedMode() != null) ? Mode.valueOf(run.requestedMode().toUpperCase(Locale.ROOT))
				: def.mode();
		String asked = (run.requestedMode() != null) ? "requested for this run" : "the pipeline's mode";
		return plan(this.registry, this.store, def, requested, asked, fittedLabel);
	}

	/**
	 * How a training asked for {@code requested} actually trains: a fine-tune needs a
	 * champion with the same schema, otherwise it trains from scratch and says why.
	 */
	static Plan plan(ModelRegistry registry, ModelStore store, PipelineDefinition def, Mode requested, String asked,
			LabelEncoding fittedLabel) {
		if (requested == Mode.RETRAIN) {
			return new Plan(Mode.RETRAIN, "retrain: " + asked, null, null);
		}
		Optional<Integer> champion = registry.champion(def.name());
		if (champion.isEmpty()) {
			return new Plan(Mode.RETRAIN,
					"fine-tune (" + asked + ") but there is no champion yet: trained from scratch", null, null);
		}
		ArtifactMetadata parent = store.metadata(def.name(), champion.get());
		List<String> now = def.modelFeatures().stream().map(f -> f.name() + ":" + f.type()).toList();
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
		else if (def.family() == ModelFamily.TORCHSCRIPT && (parent.shape().source() == null
				|| !parent.shape().source().location().equals(def.model().source().location()))) {
			changes.add("the TorchScript module file changed to " + def.model().source().location());
		}
		else if (def.family() == ModelFamily.PLUGIN) {
			pluginChange(def.model().source(), parent.shape().source()).ifPresent(changes::add);
		}
		if (!changes.isEmpty()) {
			return new Plan(Mode.RETRAIN, "fine-tune (" + asked + ") but the schema changed since champion v"
					+ champion.get() + " (" + String.join("; ", changes) + "): trained from scratch", null, null);
		}
		return new Plan(Mode.FINETUNE, "fine-tuned from champion v" + champion.get(), parent,
				store.versionDir(def.name(), champion.get()).resolve(ModelStore.PARAMS));
	}

}

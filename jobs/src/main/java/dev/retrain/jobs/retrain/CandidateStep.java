package dev.retrain.jobs.retrain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.scope.context.StepSynchronizationManager;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.json.Json;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.search.CandidateSettings;
import dev.retrain.models.search.SearchResult;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.EpochListener;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.LoadedModel;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelTrainer;
import dev.retrain.models.training.TrainingData;
import dev.retrain.models.training.TrainingFailed;
import dev.retrain.models.training.TrainingResult;

/**
 * One candidate of a retrain's search, as one partition of the {@code search} step:
 * trains the candidate's settings on its window less the newest {@code selection-days} of
 * training data, scores it there with the promotion metric, and writes the outcome next
 * to its checkpoints ({@code training/search/c<i>/outcome.json}), where the train step
 * reads every candidate's and chooses. Partitions run on local threads
 * ({@code search.threads}) or, with workers, each on whichever worker takes it; each
 * reads the window itself, so no candidate depends on another's memory.
 */
class CandidateStep implements Tasklet {

	private static final Logger log = LoggerFactory.getLogger(CandidateStep.class);

	/** The partition's candidate (its index in the search space). */
	static final String CANDIDATE = "candidate";

	/** When the search began (epoch milliseconds), for its time budget. */
	static final String STARTED = "searchStarted";

	/** The file a candidate's outcome is written to, in its own directory. */
	static final String OUTCOME = "outcome.json";

	/**
	 * What became of one candidate: tried (with its score, or why it failed), skipped
	 * because the search's time budget was spent, or not searched because the data was
	 * too short to hold out the selection days.
	 */
	record Outcome(SearchResult.Tried tried, long selectionRows, boolean skipped, String notSearched) {
	}

	private final StepInputsFactory inputs;

	private final RunRecords runs;

	private final ModelRegistry registry;

	private final ModelStore store;

	private final ModelTrainer trainer;

	private final long memoryBytes;

	private final EpochListener observer;

	CandidateStep(StepInputsFactory inputs, RunRecords runs, ModelRegistry registry, ModelStore store,
			ModelTrainer trainer, long memoryBytes, EpochListener observer) {
		this.observer = observer;
		this.inputs = inputs;
		this.runs = runs;
		this.registry = registry;
		this.store = store;
		this.trainer = trainer;
		this.memoryBytes = memoryBytes;
	}

	/** A candidate's directory in the run's workspace. */
	static Path dir(RunWorkspace ws, int candidate) {
		return ws.training().resolve("search").resolve("c" + candidate);
	}

	/**
	 * One partition per candidate of the run's pipeline's search (none without a search),
	 * named {@code c<i>}. Reads the run from the step being partitioned.
	 */
	static Partitioner partitioner(PipelineCatalog catalog) {
		return gridSize -> {
			JobExecution job = StepSynchronizationManager.getContext().getStepExecution().getJobExecution();
			PipelineDefinition def = PinnedPipeline.of(job, catalog);
			Map<String, ExecutionContext> partitions = new HashMap<>();
			if (def.search() != null) {
				for (CandidateSettings c : def.search().space().candidates()) {
					ExecutionContext context = new ExecutionContext();
					context.putInt(CANDIDATE, c.index());
					partitions.put("c" + c.index(), context);
				}
			}
			return partitions;
		};
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) throws JobInterruptedException {
		StepInputs s = this.inputs.of(chunk);
		StepExecution step = chunk.getStepContext().getStepExecution();
		int index = step.getExecutionContext().getInt(CANDIDATE);
		long started = step.getExecutionContext().getLong(STARTED, System.currentTimeMillis());
		RunWorkspace ws = s.ws();
		Path dir = dir(ws, index);
		s.ws()
			.pull(relative -> relative.equals("snapshot.json")
					|| relative.startsWith("training/search/c" + index + "/"));
		Path outcomeFile = dir.resolve(OUTCOME);
		if (!Files.exists(outcomeFile)) {
			Outcome outcome = train(s, index, started, dir);
			s.stillHeld();
			Json.write(outcomeFile, outcome);
			ws.push(dir);
		}
		contribution.incrementWriteCount(1);
		return RepeatStatus.FINISHED;
	}

	private Outcome train(StepInputs s, int index, long started, Path dir) throws JobInterruptedException {
		RunContext run = s.run();
		PipelineDefinition def = s.def();
		PipelineDefinition.Search search = def.search();
		List<CandidateSettings> candidates = search.space().candidates();
		CandidateSettings c = candidates.get(index);
		double spent = (System.currentTimeMillis() - started) / 1e3;
		if (index > 0 && spent >= search.maxTrainingSeconds()) {
			// the first candidate always trains; a later one starts only within the
			// budget
			return new Outcome(null, 0, true, null);
		}
		WindowPlan plan = s.plan();
		TrainingWindow window = TrainingWindow.read(def, plan, this.memoryBytes, false);
		long encodedBytes = (long) window.trainRows * (window.fitter.encoder().width() * 4L + 12L);
		if (window.kept == null || encodedBytes > this.memoryBytes) {
			throw new DataValidationFailed(null, null,
					"search: the window's " + window.trainRows
							+ " training rows do not fit the in-memory bound (retrain.training-memory, "
							+ (this.memoryBytes >> 20)
							+ " MiB); a search needs them in memory: shorten data.window-days " + "or raise the bound");
		}
		long[] days = window.dayRange(plan);
		long oldest = days[0];
		long newest = days[1];
		long selectionFrom = newest - search.selectionDays() + 1;
		if (oldest >= selectionFrom) {
			// a young pipeline (or a backtest's warm-up): no day is left to train
			// candidates on; the model's own settings train, and the record says why
			return new Outcome(null, 0, false, "the training data spans " + (newest - oldest + 1)
					+ " days: holding out the newest " + search.selectionDays()
					+ " (search.selection-days) leaves none to train candidates on; the model's own settings trained");
		}
		Table selection = window.select(r -> plan.day(r) >= selectionFrom);
		int needed = Math.max(1, def.validation().minHoldoutRows());
		if (selection == null || selection.rows() < needed) {
			throw new DataValidationFailed(null, null,
					"search.selection-days: the newest " + search.selectionDays() + " days of training data hold "
							+ ((selection == null) ? 0 : selection.rows()) + " training rows; choosing needs at least "
							+ needed + " (validation.min-holdout-rows)");
		}
		Metric metric = def.promotion().metric();
		long candidateStart = System.nanoTime();
		long from = run.asOf().toEpochDay() - c.windowDays() + 1;
		LongPredicate rows = r -> {
			long day = plan.day(r);
			return day >= from && day < selectionFrom;
		};
		LabelEncoding fittedLabel = window.label(def);
		TrainStep.Plan how = c.fineTune()
				? TrainStep.plan(this.registry, this.store, def, Mode.FINETUNE, "a search candidate", fittedLabel)
				: new TrainStep.Plan(Mode.RETRAIN, "retrain: candidate " + c.index() + " of a search", null, null);
		if (c.fineTune() && how.mode() != Mode.FINETUNE) {
			return new Outcome(new SearchResult.Tried(c, 0, 0, 0, Double.NaN, 0, how.reason()), selection.rows(), false,
					null);
		}
		FeatureEncoder enc = c.fineTune() ? new FeatureEncoder(how.parent().features()) : window.fitter.encoder();
		LabelEncoding lab = c.fineTune() ? how.parent().label() : fittedLabel;
		Hyperparameters hp = def.hyperparameters().with(c.epochs(), c.learningRate(), c.weightDecay());
		ModelShape shape = c.fineTune() ? how.parent().shape()
				: def.shape(c.hiddenLayers(), enc.width(), lab.outputs());
		Path warmStart = how.warmStart();
		if (shape.isTorchScript()) {
			ModuleFile.Start start = s.moduleFile().start(shape, how.parent(), warmStart, enc.columns());
			shape = start.shape();
			warmStart = start.file();
		}
		else if (shape.isPlugin() && !c.fineTune()) {
			shape = shape.withInstalledPlugin(enc.encodings());
		}
		try {
			TrainingData data = window.encoded(enc, lab, hp, rows);
			window.release();
			String what = String.format(Locale.ROOT, "search: candidate %d of %d (%s)", c.index() + 1,
					candidates.size(), c.describe());
			this.runs.progress(run.runId(), what + " on " + data.rows() + " rows");
			TrainingResult r = this.trainer
				.train(new ModelTrainer.Request(shape, hp, data, warmStart, dir, progress(s, dir, what)));
			double score;
			try (LoadedModel model = LoadedModel.load(shape, dir.resolve(ModelTrainer.FINAL_PARAMS))) {
				score = Metrics.compute(model.predict(enc, selection), lab.encode(selection)).get(metric.key());
			}
			log.info("{}: {} {} on the newest {} days", what, metric.key(), String.format(Locale.ROOT, "%.4f", score),
					search.selectionDays());
			return new Outcome(new SearchResult.Tried(c, data.rows(), r.curve().size(), r.bestEpoch(), score,
					(System.nanoTime() - candidateStart) / 1e9, null), selection.rows(), false, null);
		}
		catch (TrainStep.TrainingStopped ex) {
			throw new JobInterruptedException(ex.getMessage());
		}
		catch (TrainingFailed | DataValidationFailed ex) {
			return new Outcome(new SearchResult.Tried(c, 0, 0, 0, Double.NaN,
					(System.nanoTime() - candidateStart) / 1e9, ex.getMessage()), selection.rows(), false, null);
		}
	}

	/** {@code what} epoch by epoch in the run's progress, and a stop request honoured. */
	private EpochListener progress(StepInputs s, Path dir, String what) {
		long runId = s.run().runId();
		return (epoch, total, stats) -> {
			s.stillHeld();
			if (this.runs.stopRequested(runId)) {
				throw new TrainStep.TrainingStopped("stopped on request after epoch " + epoch + " of " + what
						+ " (the checkpoint is kept: restart the run to resume)");
			}
			this.runs.progress(runId, String.format(Locale.ROOT, "%s: epoch %d of %d, train loss %.5f", what, epoch,
					total, stats.trainLoss()));
			// a worker that takes this candidate over resumes from its checkpoint
			s.ws().push(dir);
			this.observer.epochCompleted(epoch, total, stats);
		};
	}

}

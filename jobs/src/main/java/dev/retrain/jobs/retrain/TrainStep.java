package dev.retrain.jobs.retrain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineDefinition.Mode;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.profile.ReferenceProfile;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.Json;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.ClassWeights;
import dev.retrain.models.training.EpochListener;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.LoadedModel;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.ModelTrainer;
import dev.retrain.models.training.TrainingData;
import dev.retrain.models.training.TrainingResult;
import dev.retrain.models.training.Task;

/**
 * Step 3: train a candidate, from scratch or warm-started from the champion (fine-tune), checkpointing
 * every epoch in the run's workspace so that a restarted run resumes where it stopped.
 */
class TrainStep implements Tasklet {

	private final StepScopes scopes;

	private final RunRecords runs;

	private final ModelRegistry registry;

	private final ModelStore store;

	private final ModelTrainer trainer;

	private final EpochListener observer;

	/** Whether someone asked the run to stop (read from the job repository, so a stop on any node counts). */
	private final java.util.function.LongPredicate stopRequested;

	/** Thrown out of the training loop when a stop was requested. */
	static final class TrainingStopped extends RuntimeException {

		TrainingStopped(String message) {
			super(message);
		}

	}

	/** At most this many training rows (and as many holdout rows) are kept as a version's reference sample. */
	static final int REFERENCE_ROWS = 50_000;

	TrainStep(StepScopes scopes, RunRecords runs, ModelRegistry registry,
			ModelStore store, ModelTrainer trainer, EpochListener observer, java.util.function.LongPredicate stopRequested) {
		this.stopRequested = stopRequested;
		this.scopes = scopes;
		this.runs = runs;
		this.registry = registry;
		this.store = store;
		this.trainer = trainer;
		this.observer = observer;
	}

	/** How this run trains: the mode actually used and why, and what a fine-tune starts from. */
	private record Plan(Mode mode, String reason, ArtifactMetadata parent, Path warmStart) {
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) throws JobInterruptedException {
		StepScope s = this.scopes.of(chunk);
		RunContext run = s.run();
		PipelineDefinition def = s.def();
		RunWorkspace ws = s.ws();
		WindowData data = s.data(List.of());

		LabelEncoding fittedLabel = LabelEncoding.fit(data.train(), def.labelColumn(), def.task(), def.classes());
		Plan plan = plan(def, run, fittedLabel);
		this.runs.mode(run.runId(), plan.mode().name(), plan.reason());
		FeatureEncoder encoder = (plan.parent() != null) ? new FeatureEncoder(plan.parent().features())
				: FeatureEncoder.fit(data.train(), def.features());
		LabelEncoding label = (plan.parent() != null) ? plan.parent().label() : fittedLabel;
		Hyperparameters hp = (plan.mode() == Mode.FINETUNE)
				? def.hyperparameters().withEpochsAndLearningRate(def.finetuneEpochs(), def.finetuneLearningRate())
				: def.hyperparameters();

		float[] x = encoder.encode(data.train());
		double[] y = label.encode(data.train());
		float[] w = ClassWeights.rowWeights(y, label.classes(), hp);
		ModelShape shape = new ModelShape(def.task(), def.family(), def.hiddenLayers(), encoder.width(), label.outputs());
		TrainingData training = new TrainingData(x, y, w, data.train().rows(), encoder.width());
		EpochListener progress = (epoch, total, stats) -> {
			if (this.stopRequested.test(run.runId())) {
				throw new TrainingStopped("stopped on request after epoch " + epoch + " (the checkpoint is kept: "
						+ "restart the run to resume)");
			}
			this.runs.progress(run.runId(), String.format(Locale.ROOT,
					"training: epoch %d of %d, train loss %.5f, validation loss %.5f", epoch, total, stats.trainLoss(),
					stats.validationLoss()));
			this.observer.epochCompleted(epoch, total, stats);
		};
		TrainingResult result;
		try {
			result = this.trainer
				.train(new ModelTrainer.Request(shape, hp, training, plan.warmStart(), ws.training(), progress));
		}
		catch (TrainingStopped ex) {
			throw new JobInterruptedException(ex.getMessage());
		}

		ReferenceProfile profile;
		try (LoadedModel model = LoadedModel.load(shape, ws.training().resolve(ModelTrainer.FINAL_PARAMS))) {
			Predictions predictions = model.predict(x, training.rows());
			profile = ReferenceProfile.of(data.train(), def.features(), predictions);
		}
		CandidateInfo info = new CandidateInfo(plan.mode().name(), plan.reason(),
				(plan.parent() != null) ? plan.parent().version() : null, encoder.encodings(), label, shape, hp, result,
				profile);
		writeReference(def, data, ws);
		Json.write(ws.candidate(), info);
		this.runs.detail(run.runId(), "training", result);
		this.runs.progress(run.runId(), String.format(Locale.ROOT, "trained %d epochs (best %d) on %d rows at %.0f samples/s",
				result.curve().size(), result.bestEpoch(), result.trainRows(), result.samplesPerSecond()));
		contribution.incrementWriteCount(1);
		return RepeatStatus.FINISHED;
	}

	/** The rows drift checks will compare against: a sample of training rows, and the primary holdout. */
	private static void writeReference(PipelineDefinition def, WindowData data, RunWorkspace ws) {
		try {
			ReferenceSample.write(ws.reference(), data.train(), data.holdouts().get(def.primaryHoldout().name()),
					def.features(), def.labelColumn(), def.task() == Task.REGRESSION, REFERENCE_ROWS,
					def.hyperparameters().seed());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the reference sample " + ws.reference(), ex);
		}
	}

	private Plan plan(PipelineDefinition def, RunContext run, LabelEncoding fittedLabel) {
		Mode requested = (run.requestedMode() != null) ? Mode.valueOf(run.requestedMode().toUpperCase(Locale.ROOT))
				: def.mode();
		String asked = (run.requestedMode() != null) ? "requested for this run" : "the pipeline's mode";
		if (requested == Mode.RETRAIN) {
			return new Plan(Mode.RETRAIN, "retrain: " + asked, null, null);
		}
		Optional<Integer> champion = this.registry.champion(def.name());
		if (champion.isEmpty()) {
			return new Plan(Mode.RETRAIN, "fine-tune (" + asked + ") but there is no champion yet: trained from scratch", null,
					null);
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
		if (fittedLabel.classes() != null && !new HashSet<>(parent.label().classes()).containsAll(fittedLabel.classes())) {
			changes.add("classes changed from " + parent.label().classes() + " to " + fittedLabel.classes());
		}
		if (parent.shape().family() != def.family() || !parent.shape().hiddenLayers().equals(def.hiddenLayers())) {
			changes.add("model structure changed");
		}
		if (!changes.isEmpty()) {
			return new Plan(Mode.RETRAIN, "fine-tune (" + asked + ") but the schema changed since champion v" + champion.get()
					+ " (" + String.join("; ", changes) + "): trained from scratch", null, null);
		}
		return new Plan(Mode.FINETUNE, "fine-tuned from champion v" + champion.get(), parent,
				this.store.versionDir(def.name(), champion.get()).resolve(ModelStore.PARAMS));
	}

}

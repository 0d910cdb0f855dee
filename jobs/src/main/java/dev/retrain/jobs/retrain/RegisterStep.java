package dev.retrain.jobs.retrain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import ai.djl.engine.Engine;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.models.drift.ReferenceSample;
import dev.retrain.models.faults.Failpoints;
import dev.retrain.models.json.Json;
import dev.retrain.models.promotion.PromotionDecision;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.ModelTrainer;

/**
 * Step 6: every candidate becomes an immutable version (files moved into the store
 * atomically, then the registry row). Where it stands, and whether it becomes champion
 * (compare-and-set against the champion seen at evaluation), is
 * {@link ModelVersion#register}'s decision. Registering twice for one job instance is a
 * no-op, so a restart after a crash registers exactly once.
 */
class RegisterStep implements Tasklet {

	private final StepInputsFactory inputs;

	private final ModelRegistry registry;

	private final ModelStore store;

	private final Clock clock;

	RegisterStep(StepInputsFactory inputs, ModelRegistry registry, ModelStore store, Clock clock) {
		this.inputs = inputs;
		this.registry = registry;
		this.store = store;
		this.clock = clock;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
		RunContext run = RunContext.of(chunk);
		if (this.registry.versionOfJobInstance(run.pipeline(), run.jobInstanceId()).isPresent()) {
			return RepeatStatus.FINISHED;
		}
		StepInputs s = this.inputs.of(chunk);
		PipelineDefinition def = s.def();
		RunWorkspace ws = s.ws();
		SnapshotInfo snap = s.snapshot();
		CandidateInfo cand = Json.read(ws.candidate(), CandidateInfo.class);
		EvaluationInfo eval = Json.read(ws.evaluation(), EvaluationInfo.class);
		PromotionDecision decision = Json.read(ws.decision(), PromotionDecision.class);

		int version = this.registry.nextVersion(def.name());
		if (this.store.storedVersions(def.name()).contains(version)) {
			// written by a run that crashed before its registry row committed; we hold
			// the pipeline's lock
			this.store.deleteVersion(def.name(), version);
		}
		Engine engine = Engine.getInstance();
		ArtifactMetadata meta = new ArtifactMetadata(def.name(), version, this.clock.instant(),
				Long.toString(run.runId()), def.configHash(), cand.mode(), cand.modeReason(), cand.parentVersion(),
				snap.window(), cand.features(), cand.label(), cand.shape(), cand.hyperparameters(),
				Engine.getDjlVersion(), engine.getEngineName(), engine.getVersion(), cand.training(),
				eval.primaryHoldout(), eval.candidate(), eval.championVersion(), eval.champion(), decision,
				cand.profile(), null, cand.search(), cand.derived());
		Path staged = this.store.stage(def.name());
		String dir;
		try {
			Files.copy(ws.training().resolve(ModelTrainer.FINAL_PARAMS), staged.resolve(ModelStore.PARAMS));
			Files.copy(ws.reference(), staged.resolve(ReferenceSample.FILE));
			meta = meta.withFiles(ModelStore.hashes(staged, ModelStore.PARAMS, ReferenceSample.FILE));
			Json.write(staged.resolve(ModelStore.METADATA), meta);
			Failpoints.reach("register.staged");
			dir = this.store.commit(staged, def.name(), version);
		}
		catch (IOException ex) {
			ModelStore.deleteTree(staged);
			throw new UncheckedIOException("cannot write version " + version + " into the store", ex);
		}
		catch (RuntimeException ex) {
			// a full disk, say: nothing of this version stays behind
			ModelStore.deleteTree(staged);
			throw ex;
		}
		Failpoints.reach("register.renamed");

		String metric = def.promotion().metric().key();
		Double primary = eval.candidate().get(eval.primaryHoldout()).get(metric);
		ModelVersion.Candidate candidate = new ModelVersion.Candidate(def.name(), version, meta.createdAt(),
				run.runId(), run.jobInstanceId(), cand.mode(), cand.parentVersion(), snap.window().id(),
				def.configHash(), metric, primary, Json.MAPPER.writeValueAsString(eval.candidate()), dir);
		this.registry.register(ModelVersion.register(candidate, decision, eval.championVersion(),
				this.registry.champion(def.name()).orElse(null), def.approvalRequired()));
		contribution.incrementWriteCount(1);
		return RepeatStatus.FINISHED;
	}

}

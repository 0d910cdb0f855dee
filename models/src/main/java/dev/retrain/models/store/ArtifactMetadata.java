package dev.retrain.models.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.retrain.models.dataset.DatasetSnapshot;
import dev.retrain.models.features.DerivedState;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.LabelEncoding;
import dev.retrain.models.profile.ReferenceProfile;
import dev.retrain.models.promotion.PromotionDecision;
import dev.retrain.models.search.SearchResult;
import dev.retrain.models.training.Hyperparameters;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.TrainingResult;

/**
 * Everything recorded about a model version, written next to its parameters as
 * {@code metadata.json}: lineage (config hash, dataset snapshot, parent version),
 * encoders, structure and hyperparameters, library versions, the training curve, holdout
 * metrics of candidate and champion, the decision, and a reference profile for drift
 * checks; where the pipeline searches, every candidate tried and the winner
 * ({@code search}, null otherwise and in versions written before it existed); with
 * derived features, their definitions and the state a version needs to serve them
 * ({@code derived}, null without).
 */
public record ArtifactMetadata(String pipeline, int version, Instant createdAt, String runId, String configHash,
		String mode, String modeReason, Integer parentVersion, DatasetSnapshot dataset, List<FeatureEncoding> features,
		LabelEncoding label, ModelShape shape, Hyperparameters hyperparameters, String djlVersion, String engine,
		String engineVersion, TrainingResult training, String primaryHoldout,
		Map<String, Map<String, Double>> candidateMetrics, Integer championVersion,
		Map<String, Map<String, Double>> championMetrics, PromotionDecision decision, ReferenceProfile profile,
		Map<String, String> files, SearchResult search, DerivedState derived) {

	/** Metadata without derived features. */
	public ArtifactMetadata(String pipeline, int version, Instant createdAt, String runId, String configHash,
			String mode, String modeReason, Integer parentVersion, DatasetSnapshot dataset,
			List<FeatureEncoding> features, LabelEncoding label, ModelShape shape, Hyperparameters hyperparameters,
			String djlVersion, String engine, String engineVersion, TrainingResult training, String primaryHoldout,
			Map<String, Map<String, Double>> candidateMetrics, Integer championVersion,
			Map<String, Map<String, Double>> championMetrics, PromotionDecision decision, ReferenceProfile profile,
			Map<String, String> files, SearchResult search) {
		this(pipeline, version, createdAt, runId, configHash, mode, modeReason, parentVersion, dataset, features, label,
				shape, hyperparameters, djlVersion, engine, engineVersion, training, primaryHoldout, candidateMetrics,
				championVersion, championMetrics, decision, profile, files, search, null);
	}

	/**
	 * The features read from the input: every encoded feature but the derived ones (which
	 * {@link ModelArtifact#predict} computes).
	 */
	public List<FeatureEncoding> inputs() {
		if (this.derived == null) {
			return this.features;
		}
		Set<String> derivedNames = Set.copyOf(this.derived.derived().names());
		return this.features.stream().filter(f -> !derivedNames.contains(f.name())).toList();
	}

	/**
	 * The same metadata with {@code files}: the SHA-256 of each file of the version,
	 * which the store checks before a version is loaded or promoted (null in versions
	 * written before it was recorded).
	 */
	public ArtifactMetadata withFiles(Map<String, String> files) {
		return new ArtifactMetadata(this.pipeline, this.version, this.createdAt, this.runId, this.configHash, this.mode,
				this.modeReason, this.parentVersion, this.dataset, this.features, this.label, this.shape,
				this.hyperparameters, this.djlVersion, this.engine, this.engineVersion, this.training,
				this.primaryHoldout, this.candidateMetrics, this.championVersion, this.championMetrics, this.decision,
				this.profile, Map.copyOf(files), this.search, this.derived);
	}

}

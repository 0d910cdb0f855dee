package dev.retrain.models.store;

import java.nio.file.Path;

import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.training.LoadedModel;

/**
 * A stored model version ready to score tables with its own encoders; holds native
 * memory, so close it.
 */
public final class ModelArtifact implements AutoCloseable {

	private final ArtifactMetadata metadata;

	private final FeatureEncoder encoder;

	private final LoadedModel model;

	ModelArtifact(ArtifactMetadata metadata, Path parameters) {
		this.metadata = metadata;
		this.encoder = new FeatureEncoder(metadata.features());
		this.model = LoadedModel.load(metadata.shape(), parameters);
	}

	public ArtifactMetadata metadata() {
		return this.metadata;
	}

	public FeatureEncoder encoder() {
		return this.encoder;
	}

	public Predictions predict(Table table) {
		return this.model.predict(this.encoder, table);
	}

	@Override
	public void close() {
		this.model.close();
	}

}

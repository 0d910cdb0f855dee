package dev.retrain.models.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.DerivedFeatures;
import dev.retrain.models.features.DerivedHistory;
import dev.retrain.models.features.DerivedState;
import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.features.FeatureEncoding;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.json.Json;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.storage.Location;
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

	/**
	 * Opens a version's files from a directory of its own (an unpacked download): its
	 * {@value ModelStore#METADATA} and {@value ModelStore#PARAMS}, each checked against
	 * the SHA-256 the metadata records (refused when one is missing or does not match).
	 */
	public static ModelArtifact open(Path dir) {
		ArtifactMetadata metadata = Json.read(dir.resolve(ModelStore.METADATA), ArtifactMetadata.class);
		if (metadata.files() != null) {
			for (Map.Entry<String, String> f : metadata.files().entrySet()) {
				Path file = dir.resolve(f.getKey());
				if (!Files.isRegularFile(file)) {
					throw new IllegalStateException("version " + metadata.version() + " of " + metadata.pipeline()
							+ " in " + dir + " is missing " + f.getKey());
				}
				if (!f.getValue().equals(FileHashes.sha256(file))) {
					throw new IllegalStateException("version " + metadata.version() + " of " + metadata.pipeline()
							+ " in " + dir + ": " + f.getKey() + " does not match the SHA-256 in metadata.json");
				}
			}
		}
		return new ModelArtifact(metadata, dir.resolve(ModelStore.PARAMS));
	}

	public ArtifactMetadata metadata() {
		return this.metadata;
	}

	public FeatureEncoder encoder() {
		return this.encoder;
	}

	/**
	 * Scores a table of input rows. With derived features that the table lacks, they are
	 * computed first (by DerivedFeatures, the one code path training used) from the state
	 * stored with the version: rows without a day are of the period after the training
	 * data's last day.
	 */
	public Predictions predict(Table table) {
		return predict(table, DerivedHistory.EMPTY);
	}

	/**
	 * Scores a table of input rows, computing its derived features from {@code recent}
	 * (the statistics of the periods before the rows', from their labelled data) and, for
	 * the periods it lacks, the state stored with the version.
	 */
	public Predictions predict(Table table, DerivedHistory recent) {
		return this.model.predict(this.encoder, withDerived(table, recent));
	}

	/**
	 * The statistics of the periods before {@code day} that this version's derived
	 * features look back on, read from the date partitions at {@code dataRoot} (labelled
	 * data: the pipeline's data path); periods without a partition are left out (the
	 * stored state stands in for them). Empty without derived features.
	 */
	public DerivedHistory recentHistory(Location dataRoot, LocalDate day) {
		DerivedState state = this.metadata.derived();
		if (state == null || state.definitions().isEmpty()) {
			return DerivedHistory.EMPTY;
		}
		return recentHistory(dataRoot, day.minusDays(state.derived().lookbackPeriods()), day.minusDays(1));
	}

	/**
	 * The statistics of the periods {@code from .. to} that this version's derived
	 * features use, read from the date partitions at {@code dataRoot}.
	 */
	public DerivedHistory recentHistory(Location dataRoot, LocalDate from, LocalDate to) {
		DerivedState state = this.metadata.derived();
		if (state == null || state.definitions().isEmpty()) {
			return DerivedHistory.EMPTY;
		}
		DerivedFeatures derived = state.derived();
		Map<String, FeatureEncoding> encodings = new HashMap<>();
		this.metadata.features().forEach(f -> encodings.put(f.name(), f));
		List<ColumnRequest> columns = new ArrayList<>();
		for (String c : derived.inputColumns()) {
			FeatureEncoding f = encodings.get(c);
			columns.add((f != null && f.type() == FeatureSpec.FeatureType.CATEGORICAL) ? ColumnRequest.string(c)
					: ColumnRequest.numeric(c));
		}
		if (derived.historyColumns().contains(state.labelColumn())) {
			columns.add(new ColumnRequest(state.labelColumn(),
					(state.positiveClass() == null) ? ColumnRequest.Kind.NUMERIC : ColumnRequest.Kind.STRING, false));
		}
		PartitionedDirectory dir = new PartitionedDirectory(dataRoot);
		if (dir.days().stream().noneMatch(d -> !d.isBefore(from) && !d.isAfter(to))) {
			return DerivedHistory.EMPTY;
		}
		DerivedHistory[] history = { DerivedHistory.EMPTY };
		ParquetTableReader reader = new ParquetTableReader(dataRoot);
		for (DataFile file : dir.resolve(from, to)) {
			reader.read(file, columns, 65_536, t -> history[0] = history[0].plus(derived.history(t)));
		}
		return history[0];
	}

	/** The table with this version's derived features, computed as in training. */
	public Table withDerived(Table table, DerivedHistory recent) {
		DerivedState state = this.metadata.derived();
		if (state == null || state.definitions().isEmpty()
				|| state.definitions().stream().allMatch(d -> table.has(d.name()))) {
			return table;
		}
		return state.derived().apply(table, recent.orElse(state.history()), state.servingDay());
	}

	@Override
	public void close() {
		this.model.close();
	}

}

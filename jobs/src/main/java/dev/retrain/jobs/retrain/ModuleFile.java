package dev.retrain.jobs.retrain;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.models.files.FileHashes;
import dev.retrain.models.storage.Location;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.training.ModelShape;
import dev.retrain.models.training.TorchScriptModules;
import dev.retrain.models.training.TrainingFailed;

/**
 * The user's TorchScript module a retrain starts from ({@code model.torchscript}: a local
 * path, absolute or relative to the data directory, or an {@code s3://} URI): copied into
 * the run's workspace once, so every candidate and a resumed step train from the same
 * bytes, whatever happens to the original meanwhile.
 */
record ModuleFile(PipelineDefinition def, Location location, Path local) {

	static ModuleFile of(PipelineDefinition def, RetrainProperties props, RunWorkspace ws) {
		String uri = def.model().source().location();
		return new ModuleFile(def, props.resolveData(uri), ws.root().resolve("module.pt"));
	}

	/**
	 * Where a training of {@code shape} starts: {@code warmStart} (a fine-tune's
	 * champion, {@code parent}) when given, else this module; checked against the encoded
	 * columns and the task either way. Also gives the shape to record: with the module's
	 * location and SHA-256, the parent's for a fine-tune.
	 */
	Start start(ModelShape shape, ArtifactMetadata parent, Path warmStart, List<String> encodedColumns) {
		Path file = (warmStart != null) ? warmStart : fetch();
		TorchScriptModules.verify(file, shape, encodedColumns);
		ModelShape recorded = (parent != null) ? shape.withSource(parent.shape().source())
				: shape.withSource(shape.source().withSha256(FileHashes.sha256(file)));
		return new Start(recorded, file);
	}

	/** The shape to record and the file to train from. */
	record Start(ModelShape shape, Path file) {
	}

	private Path fetch() {
		if (Files.isRegularFile(this.local)) {
			return this.local;
		}
		try {
			if (!this.location.isFile()) {
				throw new TrainingFailed("model.torchscript of " + this.def.name() + ": " + this.location.uri()
						+ " does not exist (or is not a file)");
			}
			Files.createDirectories(this.local.getParent());
			Path tmp = this.local.resolveSibling("module.pt.tmp");
			try (InputStream in = this.location.open()) {
				Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
			}
			Files.move(tmp, this.local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			return this.local;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read model.torchscript " + this.location.uri(), ex);
		}
	}

}

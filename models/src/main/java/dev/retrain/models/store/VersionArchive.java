package dev.retrain.models.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import dev.retrain.models.features.FeatureEncoder;
import dev.retrain.models.json.Json;
import dev.retrain.models.training.ModelShape;

/**
 * A version as one zip archive of its local files: {@value ModelStore#METADATA},
 * {@value ModelStore#PARAMS} and, where it has one, {@value #REFERENCE}; and
 * {@value #LOADING}: what loading it needs (the kind of model, the input columns in
 * order, the outputs, and what reads {@value ModelStore#PARAMS}). Entries come in a fixed
 * order with a fixed time, so the same version always gives the same bytes.
 */
final class VersionArchive {

	static final String REFERENCE = "reference.parquet";

	static final String LOADING = "LOADING.txt";

	private VersionArchive() {
	}

	static byte[] of(Path dir, String pipeline, int version) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			write(zip, "", dir);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot archive " + pipeline + " v" + version, ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * A committee as one zip archive: its manifest ({@code manifestName}) first, then
	 * each member's entries, as {@link #of} writes them, under {@code v<version>/}.
	 * Entries in a fixed order with a fixed time: the same manifest and members always
	 * give the same bytes, and another manifest (other weights) other bytes.
	 */
	static byte[] committee(String pipeline, String manifestName, byte[] manifest, List<Integer> versions,
			Function<Integer, Path> dirs) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			ZipEntry entry = new ZipEntry(manifestName);
			entry.setTime(0);
			zip.putNextEntry(entry);
			zip.write(manifest);
			zip.closeEntry();
			for (int version : versions) {
				write(zip, "v" + version + "/", dirs.apply(version));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot archive the committee of " + pipeline, ex);
		}
		return bytes.toByteArray();
	}

	private static void write(ZipOutputStream zip, String prefix, Path dir) throws IOException {
		for (String name : List.of(ModelStore.METADATA, ModelStore.PARAMS, REFERENCE)) {
			Path file = dir.resolve(name);
			if (!Files.isRegularFile(file)) {
				continue;
			}
			ZipEntry entry = new ZipEntry(prefix + name);
			entry.setTime(0);
			zip.putNextEntry(entry);
			Files.copy(file, zip);
			zip.closeEntry();
		}
		Path metadata = dir.resolve(ModelStore.METADATA);
		if (Files.isRegularFile(metadata)) {
			ZipEntry entry = new ZipEntry(prefix + LOADING);
			entry.setTime(0);
			zip.putNextEntry(entry);
			zip.write(loading(Json.read(metadata, ArtifactMetadata.class)).getBytes(StandardCharsets.UTF_8));
			zip.closeEntry();
		}
	}

	/** What a version needs to be loaded and fed, in words. */
	static String loading(ArtifactMetadata m) {
		ModelShape shape = m.shape();
		List<String> columns = new FeatureEncoder(m.features()).columns();
		String outputs = switch (shape.task()) {
			case BINARY_CLASSIFICATION ->
				"the logit of class '" + m.label().classes().get(1) + "' (the score is its sigmoid)";
			case MULTICLASS_CLASSIFICATION ->
				shape.outputs() + " logits, one per class " + m.label().classes() + " (the scores are their softmax)";
			case REGRESSION -> "the predicted value";
		};
		String reads = shape.isPlugin()
				? "model.params holds DJL parameters of a plugin's network: loading it needs " + shape.requires()
						+ "\nin the directory retrain.plugins-dir (or Champion's pluginsDir) names, " + "and DJL "
						+ m.djlVersion() + " with the PyTorch engine " + m.engineVersion() + ".\n"
				: shape.isTorchScript()
						? "model.params is a TorchScript archive, as torch.jit.save writes it: it loads with\n"
								+ "torch.jit.load(\"model.params\") in Python, in TorchServe or in Triton, and in the JVM with\n"
								+ "the retrain models library (ModelArtifact.open, Champion).\n"
						: "model.params holds DJL parameters of the network above: it loads with the retrain models\n"
								+ "library (ModelArtifact.open on the unpacked directory, or Champion), DJL "
								+ m.djlVersion() + " with the PyTorch engine " + m.engineVersion() + ".\n";
		return m.pipeline() + " v" + m.version() + ": " + shape.describe() + "\n" + "Input: a float32 matrix [rows, "
				+ columns.size() + "], encoded as metadata.json's \"features\" say (numeric: (value - mean) / std\n"
				+ "and a missing indicator; categorical: one column per category and one for any other value),\n"
				+ "columns in this order:\n  " + String.join(", ", columns) + "\n" + "Output: " + outputs + ".\n"
				+ reads;
	}

}

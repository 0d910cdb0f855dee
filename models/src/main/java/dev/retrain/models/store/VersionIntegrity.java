package dev.retrain.models.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.retrain.models.files.FileHashes;
import dev.retrain.models.json.Json;
import dev.retrain.models.storage.Location;

/**
 * Whether a version's files are whole: present, and with the SHA-256 its
 * {@value ModelStore#METADATA} records, in the store or in a local copy.
 */
final class VersionIntegrity {

	private final StoreLayout layout;

	VersionIntegrity(StoreLayout layout) {
		this.layout = layout;
	}

	/**
	 * What is wrong with a version's files in the store: missing ones, and those whose
	 * SHA-256 is not the one its metadata records; empty when it is whole.
	 */
	List<String> problems(String pipeline, int version) {
		Location dir = this.layout.version(pipeline, version);
		List<String> problems = new ArrayList<>();
		for (String file : List.of(ModelStore.METADATA, ModelStore.PARAMS)) {
			if (!this.layout.has(pipeline, version, file)) {
				problems.add(missing(pipeline, version, file));
			}
		}
		if (!problems.isEmpty()) {
			return problems;
		}
		Map<String, String> recorded;
		try (InputStream in = dir.resolve(ModelStore.METADATA).open()) {
			recorded = Json.MAPPER.readValue(in, ArtifactMetadata.class).files();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		if (recorded != null) {
			recorded.forEach((file, sha) -> {
				if (!this.layout.has(pipeline, version, file)) {
					problems.add(missing(pipeline, version, file));
				}
				else if (!sha.equals(sha256(dir.resolve(file)))) {
					problems.add("has " + pipeline + "/" + version + "/" + file
							+ " changed since it was registered (its SHA-256 is not the one in metadata.json)");
				}
			});
		}
		return problems;
	}

	/** Refuses a version with any of the {@link #problems}. */
	void requireComplete(String pipeline, int version) {
		List<String> problems = problems(pipeline, version);
		if (!problems.isEmpty()) {
			throw new VersionFilesMissing(pipeline, version, problems.get(0));
		}
	}

	/** Refuses a version without the named file in the store. */
	void requireFile(String pipeline, int version, String file) {
		if (!this.layout.has(pipeline, version, file)) {
			throw new VersionFilesMissing(pipeline, version, missing(pipeline, version, file));
		}
	}

	/** A local copy whose files match the hashes its metadata records. */
	static boolean matches(Path dir) {
		try {
			Map<String, String> recorded = Json.read(dir.resolve(ModelStore.METADATA), ArtifactMetadata.class).files();
			return recorded != null && FileHashes.mismatches(dir, recorded).isEmpty();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	private static String missing(String pipeline, int version, String file) {
		return "is missing " + pipeline + "/" + version + "/" + file;
	}

	private static String sha256(Location file) {
		if (file.localPath() != null) {
			return FileHashes.sha256(file.localPath());
		}
		try (InputStream in = file.open()) {
			return FileHashes.sha256(in);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}

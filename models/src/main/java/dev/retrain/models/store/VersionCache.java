package dev.retrain.models.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

import dev.retrain.models.storage.Location;

/**
 * The local copies of versions in object storage: filled on first use, and refilled when
 * a cached file no longer matches the hash its metadata records. A copy is downloaded
 * next to its place and moved there in one atomic rename.
 */
final class VersionCache {

	private final StoreLayout layout;

	VersionCache(StoreLayout layout) {
		this.layout = layout;
	}

	/** Fills the version's local directory from the store unless it is whole already. */
	void fill(String pipeline, int version, Path dir) {
		Location from = this.layout.version(pipeline, version);
		try {
			if (!from.resolve(ModelStore.METADATA).isFile()) {
				return;
			}
			if (!Files.isRegularFile(dir.resolve(ModelStore.METADATA)) || !VersionIntegrity.matches(dir)) {
				Path tmp = dir.resolveSibling(dir.getFileName() + StoreLayout.DOWNLOAD + UUID.randomUUID());
				Files.createDirectories(tmp);
				try {
					for (Location file : from.files()) {
						try (InputStream in = file.open()) {
							Files.copy(in, tmp.resolve(from.relativize(file)));
						}
					}
					StoreCleanup.deleteTree(dir);
					Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
				}
				finally {
					StoreCleanup.deleteTree(tmp);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read version " + version + " of " + pipeline + " from " + from.uri()
					+ ": " + ex.getMessage(), ex);
		}
	}

	/** Keeps a version just uploaded from {@code staged} as its cached copy. */
	void keep(Path staged, String pipeline, int version) throws IOException {
		Path cached = this.layout.localVersion(pipeline, version);
		StoreCleanup.deleteTree(cached);
		Files.move(staged, cached, StandardCopyOption.ATOMIC_MOVE);
	}

}

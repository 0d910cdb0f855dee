package dev.retrain.models.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Removes what is not a version: staging leftovers and interrupted downloads in the local
 * directory, and stored (or cached) versions without a registry row.
 */
final class StoreCleanup {

	private final StoreLayout layout;

	StoreCleanup(StoreLayout layout) {
		this.layout = layout;
	}

	/**
	 * Removes staging leftovers and versions that the registry does not list (a crash
	 * between writing the files and the registry insert). Returns what was removed.
	 */
	List<String> cleanup(String pipeline, Set<Integer> registered) {
		List<String> removed = new ArrayList<>();
		Path staging = this.layout.localPipeline(pipeline);
		if (Files.isDirectory(staging)) {
			try (Stream<Path> children = Files.list(staging)) {
				for (Path child : children.toList()) {
					String name = child.getFileName().toString();
					boolean leftover = name.startsWith(StoreLayout.STAGING) || name.contains(StoreLayout.DOWNLOAD);
					boolean orphan = this.layout.remote() && name.matches("\\d+")
							&& !registered.contains(Integer.parseInt(name));
					if (leftover || orphan) {
						deleteTree(child);
						removed.add(child.toString());
					}
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		for (int version : this.layout.storedVersions(pipeline)) {
			if (!registered.contains(version)) {
				deleteVersion(pipeline, version);
				removed.add(this.layout.version(pipeline, version).uri());
			}
		}
		return removed;
	}

	/** Removes a version's files (the store's and any cached copy). */
	void deleteVersion(String pipeline, int version) {
		try {
			this.layout.version(pipeline, version).deleteAll();
			if (this.layout.remote()) {
				deleteTree(this.layout.localVersion(pipeline, version));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot delete version " + version + " of " + pipeline + ": " + ex.getMessage(), ex);
		}
	}

	static void deleteTree(Path dir) {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> walk = Files.walk(dir)) {
			for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(p);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot delete " + dir, ex);
		}
	}

}

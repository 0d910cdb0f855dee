package dev.retrain.models.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import dev.retrain.models.files.PathSegment;
import dev.retrain.models.storage.Location;

/**
 * Where things are in a model store: the versions and alias pointers under {@code root},
 * and the local directory ({@code local}) where versions are staged and, for object
 * storage ({@code remote}), cached. Pipeline and alias names are checked as path segments
 * before they become part of a path.
 */
record StoreLayout(Location root, Path local, boolean remote) {

	/** The prefix of a staging directory's name. */
	static final String STAGING = ".staging-";

	/** The infix of a cache download's name. */
	static final String DOWNLOAD = ".download-";

	Location pipeline(String pipeline) {
		return this.root.resolve(checked(pipeline));
	}

	Location version(String pipeline, int version) {
		return this.root.resolve(checked(pipeline) + "/" + version);
	}

	Location alias(String pipeline, String alias) {
		return this.root.resolve(checked(pipeline) + "/" + ModelStore.ALIASES + "/"
				+ PathSegment.name("alias", alias).value() + ".json");
	}

	/**
	 * The committee manifest beside the champion alias pointer,
	 * {@code <pipeline>/aliases/}{@value ModelStore#COMMITTEE}: no alias can be named so
	 * (alias names have no dot).
	 */
	Location committee(String pipeline) {
		return this.root.resolve(checked(pipeline) + "/" + ModelStore.ALIASES + "/" + ModelStore.COMMITTEE);
	}

	/** The local directory of a pipeline: its staging directories and cached versions. */
	Path localPipeline(String pipeline) {
		return this.local.resolve(checked(pipeline));
	}

	/** A version's local directory: the version itself on disk, else its cached copy. */
	Path localVersion(String pipeline, int version) {
		return localPipeline(pipeline).resolve(Integer.toString(version));
	}

	/** Whether a version has the named file in the store. */
	boolean has(String pipeline, int version, String file) {
		try {
			return version(pipeline, version).resolve(file).isFile();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The versions of a pipeline in the store (complete or not), ascending. */
	List<Integer> storedVersions(String pipeline) {
		Location dir = pipeline(pipeline);
		try {
			if (!dir.isDirectory()) {
				return List.of();
			}
			return dir.children()
				.stream()
				.map(Location::name)
				.filter(n -> n.matches("\\d{1,9}"))
				.map(Integer::parseInt)
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String checked(String pipeline) {
		return PathSegment.name("pipeline", pipeline).value();
	}

}

package dev.retrain.models.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.retrain.models.files.FileHashes;
import dev.retrain.models.json.Json;

/**
 * Model versions on disk: {@code <root>/<pipeline>/<version>/} with {@code model.params}
 * and {@code metadata.json}. A version is written into a staging directory and renamed
 * into place in one atomic move, so a crash leaves either no version directory or a
 * complete one; staging leftovers and versions the registry does not know are removed by
 * {@link #cleanup}. Versions are never rewritten.
 */
public final class ModelStore {

	public static final String PARAMS = "model.params";

	public static final String METADATA = "metadata.json";

	public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

	private static final String STAGING = ".staging-";

	private final Path root;

	public ModelStore(Path root) {
		this.root = root.toAbsolutePath().normalize();
	}

	public Path root() {
		return this.root;
	}

	public Path versionDir(String pipeline, int version) {
		return pipelineDir(pipeline).resolve(Integer.toString(version));
	}

	private Path pipelineDir(String pipeline) {
		if (!NAME.matcher(pipeline).matches()) {
			throw new IllegalArgumentException(
					"invalid pipeline name '" + pipeline + "': must match " + NAME.pattern());
		}
		return this.root.resolve(pipeline);
	}

	/** A fresh, empty staging directory for a version being written. */
	public Path stage(String pipeline) {
		try {
			Path dir = pipelineDir(pipeline).resolve(STAGING + UUID.randomUUID());
			Files.createDirectories(dir);
			return dir;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Moves a complete staging directory into place as the version; fails if the version
	 * exists.
	 */
	public Path commit(Path staged, String pipeline, int version) {
		if (!Files.isRegularFile(staged.resolve(PARAMS)) || !Files.isRegularFile(staged.resolve(METADATA))) {
			throw new IllegalStateException("staged version is incomplete: " + staged);
		}
		Path target = versionDir(pipeline, version);
		try {
			Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
			return target;
		}
		catch (FileAlreadyExistsException ex) {
			throw new IllegalStateException("version " + version + " of " + pipeline + " already exists in the store",
					ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot move " + staged + " to " + target, ex);
		}
	}

	public boolean exists(String pipeline, int version) {
		return Files.isRegularFile(versionDir(pipeline, version).resolve(METADATA));
	}

	public ArtifactMetadata metadata(String pipeline, int version) {
		requireFile(pipeline, version, METADATA);
		return Json.read(versionDir(pipeline, version).resolve(METADATA), ArtifactMetadata.class);
	}

	/**
	 * Refuses a version whose parameters or metadata are not in the store, or whose files
	 * do not match the SHA-256 its metadata records ({@link VersionFilesMissing}).
	 */
	public void requireComplete(String pipeline, int version) {
		List<String> problems = problems(pipeline, version);
		if (!problems.isEmpty()) {
			throw new VersionFilesMissing(pipeline, version, problems.get(0));
		}
	}

	private void requireFile(String pipeline, int version, String file) {
		if (!Files.isRegularFile(versionDir(pipeline, version).resolve(file))) {
			throw new VersionFilesMissing(pipeline, version, "is missing " + pipeline + "/" + version + "/" + file);
		}
	}

	/**
	 * What is wrong with a version's files: missing ones, and those whose SHA-256 is not
	 * the one its metadata records; empty when it is whole.
	 */
	public List<String> problems(String pipeline, int version) {
		Path dir = versionDir(pipeline, version);
		List<String> problems = new ArrayList<>();
		for (String file : List.of(METADATA, PARAMS)) {
			if (!Files.isRegularFile(dir.resolve(file))) {
				problems.add("is missing " + pipeline + "/" + version + "/" + file);
			}
		}
		if (!problems.isEmpty()) {
			return problems;
		}
		Map<String, String> recorded = Json.read(dir.resolve(METADATA), ArtifactMetadata.class).files();
		if (recorded != null) {
			FileHashes.mismatches(dir, recorded)
				.forEach((file, what) -> problems.add(what.equals("missing")
						? "is missing " + pipeline + "/" + version + "/" + file
						: "has " + pipeline + "/" + version + "/" + file
								+ " changed since it was registered (its SHA-256 is not the one in metadata.json)"));
		}
		return problems;
	}

	/** The SHA-256 (hex) of each named file of a directory. */
	public static Map<String, String> hashes(Path dir, String... files) {
		return FileHashes.of(dir, files);
	}

	public ModelArtifact load(String pipeline, int version) {
		Path dir = versionDir(pipeline, version);
		requireComplete(pipeline, version);
		return new ModelArtifact(Json.read(dir.resolve(METADATA), ArtifactMetadata.class), dir.resolve(PARAMS));
	}

	/**
	 * Removes staging leftovers and version directories that the registry does not list
	 * (a crash between the move and the registry insert). Returns what was removed.
	 */
	public List<Path> cleanup(String pipeline, Set<Integer> registered) {
		Path dir = pipelineDir(pipeline);
		List<Path> removed = new ArrayList<>();
		if (!Files.isDirectory(dir)) {
			return removed;
		}
		try (Stream<Path> children = Files.list(dir)) {
			for (Path child : children.toList()) {
				String name = child.getFileName().toString();
				boolean staging = name.startsWith(STAGING);
				boolean orphan = name.matches("\\d+") && !registered.contains(Integer.parseInt(name));
				if (staging || orphan) {
					deleteTree(child);
					removed.add(child);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return removed;
	}

	/**
	 * The version directories of a pipeline in the store (complete or not), ascending.
	 */
	public List<Integer> storedVersions(String pipeline) {
		Path dir = pipelineDir(pipeline);
		if (!Files.isDirectory(dir)) {
			return List.of();
		}
		try (Stream<Path> children = Files.list(dir)) {
			return children.map(p -> p.getFileName().toString())
				.filter(n -> n.matches("\\d{1,9}"))
				.map(Integer::parseInt)
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Pipelines that have a directory in the store. */
	public List<String> pipelines() {
		if (!Files.isDirectory(this.root)) {
			return List.of();
		}
		try (Stream<Path> children = Files.list(this.root)) {
			return children.filter(Files::isDirectory)
				.map(p -> p.getFileName().toString())
				.filter(n -> NAME.matcher(n).matches())
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static void deleteTree(Path dir) {
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

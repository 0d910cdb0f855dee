package dev.retrain.models.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;

import dev.retrain.models.files.FileHashes;
import dev.retrain.models.files.PathSegment;
import dev.retrain.models.json.Json;
import dev.retrain.models.storage.Location;
import dev.retrain.models.storage.Storage;

/**
 * Model versions: {@code <root>/<pipeline>/<version>/} with {@code model.params},
 * {@code reference.parquet} and {@code metadata.json}, on local disk or under a prefix in
 * S3-compatible object storage. Versions are never rewritten.
 * <p>
 * On disk a version is written into a staging directory and renamed into place in one
 * atomic move, so a crash leaves either no version directory or a complete one. In object
 * storage (no rename) its objects are uploaded with {@code metadata.json} last; either
 * way the registry row, committed afterwards, is what makes it a version, and
 * {@link #cleanup} removes what has no row (staging leftovers, a crash before the row).
 * Versions in object storage are read through a local cache whose files are checked
 * against the SHA-256 recorded in the metadata before use.
 * <p>
 * This class writes and reads versions; the checks of their files
 * ({@code VersionIntegrity}), the archive ({@code VersionArchive}), the alias pointers
 * ({@code AliasFiles}), the clean-up ({@code StoreCleanup}) and the local cache of
 * versions in object storage ({@code VersionCache}) are classes of their own behind it.
 */
public final class ModelStore {

	public static final String PARAMS = "model.params";

	public static final String METADATA = "metadata.json";

	/** Where a pipeline's alias pointers are: {@code <pipeline>/aliases/<alias>.json}. */
	public static final String ALIASES = "aliases";

	/**
	 * The committee a pipeline's champion serves, beside its alias pointer:
	 * {@code <pipeline>/aliases/champion.committee.json}, the {@code committee.json} of
	 * the committee download (members, weights, revision).
	 */
	public static final String COMMITTEE = "champion.committee.json";

	private final StoreLayout layout;

	private final VersionIntegrity integrity;

	private final AliasFiles aliases;

	private final StoreCleanup cleanup;

	private final VersionCache cache;

	/** A store on local disk. */
	public ModelStore(Path root) {
		this(Storage.local(root.toAbsolutePath().normalize()), null);
	}

	/**
	 * A store at {@code root}: on local disk, or in object storage with {@code cache}
	 * (local) for staging and reading.
	 */
	public ModelStore(Location root, Path cache) {
		boolean remote = root.localPath() == null;
		this.layout = new StoreLayout(root, remote ? cache.toAbsolutePath().normalize() : root.localPath(), remote);
		this.integrity = new VersionIntegrity(this.layout);
		this.aliases = new AliasFiles(this.layout);
		this.cleanup = new StoreCleanup(this.layout);
		this.cache = new VersionCache(this.layout);
	}

	/**
	 * The local directory: the store itself on disk, or the staging and cache directory
	 * of a store in object storage.
	 */
	public Path root() {
		return this.layout.local();
	}

	/** Where the store is: a local path or an {@code s3://} URI. */
	public String uri() {
		return this.layout.root().uri();
	}

	public boolean isRemote() {
		return this.layout.remote();
	}

	/** Where a version is, as the registry records it: a local path or a URI. */
	public String describe(String pipeline, int version) {
		return this.layout.version(pipeline, version).uri();
	}

	/**
	 * The version's files in a local directory: the store itself on disk, else the cache,
	 * filled from object storage (and refilled when a cached file does not match its
	 * recorded hash).
	 */
	public Path versionDir(String pipeline, int version) {
		Path dir = this.layout.localVersion(pipeline, version);
		if (this.layout.remote()) {
			this.cache.fill(pipeline, version, dir);
		}
		return dir;
	}

	/** A fresh, empty local staging directory for a version being written. */
	public Path stage(String pipeline) {
		try {
			Path dir = this.layout.localPipeline(pipeline).resolve(StoreLayout.STAGING + UUID.randomUUID());
			Files.createDirectories(dir);
			return dir;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Puts a complete staging directory in place as the version and returns where it is;
	 * fails if the version exists. On disk: one atomic rename. In object storage: each
	 * file uploaded, {@code metadata.json} last.
	 */
	public String commit(Path staged, String pipeline, int version) {
		if (!Files.isRegularFile(staged.resolve(PARAMS)) || !Files.isRegularFile(staged.resolve(METADATA))) {
			throw new IllegalStateException("staged version is incomplete: " + staged);
		}
		Location target = this.layout.version(pipeline, version);
		if (!this.layout.remote()) {
			Path dir = target.localPath();
			try {
				Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
				return target.uri();
			}
			catch (FileAlreadyExistsException ex) {
				throw new IllegalStateException(
						"version " + version + " of " + pipeline + " already exists in the store", ex);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot move " + staged + " to " + dir, ex);
			}
		}
		try {
			if (target.isDirectory()) {
				throw new IllegalStateException(
						"version " + version + " of " + pipeline + " already exists in the store");
			}
			List<Path> files;
			try (Stream<Path> list = Files.list(staged)) {
				files = list.filter(p -> !p.getFileName().toString().equals(METADATA)).sorted().toList();
			}
			for (Path file : files) {
				target.resolve(file.getFileName().toString()).upload(file);
			}
			target.resolve(METADATA).upload(staged.resolve(METADATA));
			this.cache.keep(staged, pipeline, version);
			return target.uri();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write version " + version + " of " + pipeline + " to " + target.uri()
					+ ": " + ex.getMessage(), ex);
		}
	}

	public boolean exists(String pipeline, int version) {
		return this.layout.has(pipeline, version, METADATA);
	}

	public ArtifactMetadata metadata(String pipeline, int version) {
		this.integrity.requireFile(pipeline, version, METADATA);
		if (!this.layout.remote()) {
			return Json.read(this.layout.version(pipeline, version).resolve(METADATA).localPath(),
					ArtifactMetadata.class);
		}
		return Json.read(versionDir(pipeline, version).resolve(METADATA), ArtifactMetadata.class);
	}

	/**
	 * Refuses a version whose parameters or metadata are not in the store, or whose files
	 * do not match the SHA-256 its metadata records ({@link VersionFilesMissing}).
	 */
	public void requireComplete(String pipeline, int version) {
		this.integrity.requireComplete(pipeline, version);
	}

	/**
	 * What is wrong with a version's files in the store: missing ones, and those whose
	 * SHA-256 is not the one its metadata records; empty when it is whole.
	 */
	public List<String> problems(String pipeline, int version) {
		return this.integrity.problems(pipeline, version);
	}

	/** The SHA-256 (hex) of each named file of a directory. */
	public static Map<String, String> hashes(Path dir, String... files) {
		return FileHashes.of(dir, files);
	}

	/**
	 * The version as one zip archive, for a serving application to download: its
	 * {@value #METADATA} (encoders, structure, lineage, reference profile),
	 * {@value #PARAMS} and, where it has one, its reference sample. The same version
	 * always gives the same bytes (fixed entry order and times), so the archive's SHA-256
	 * names it. Refused ({@link VersionFilesMissing}) when a file is missing or does not
	 * match its recorded hash.
	 */
	public byte[] archive(String pipeline, int version) {
		requireComplete(pipeline, version);
		return VersionArchive.of(versionDir(pipeline, version), pipeline, version);
	}

	/**
	 * A committee as one zip: its manifest ({@code manifestName}, the members and their
	 * weights) first, then each member's files under {@code v<version>/}; every member
	 * must be complete and match its recorded hashes.
	 */
	public byte[] committeeArchive(String pipeline, String manifestName, byte[] manifest, List<Integer> versions) {
		for (int version : versions) {
			requireComplete(pipeline, version);
		}
		return VersionArchive.committee(pipeline, manifestName, manifest, versions, v -> versionDir(pipeline, v));
	}

	public ModelArtifact load(String pipeline, int version) {
		requireComplete(pipeline, version);
		Path dir = versionDir(pipeline, version);
		if (this.layout.remote() && !VersionIntegrity.matches(dir)) {
			throw new VersionFilesMissing(pipeline, version,
					"has a cached copy that does not match its recorded hashes");
		}
		return new ModelArtifact(Json.read(dir.resolve(METADATA), ArtifactMetadata.class), dir.resolve(PARAMS));
	}

	/**
	 * Writes the pointer of {@code alias} to {@code version} into the store, so that a
	 * serving application that reads only the store
	 * ({@code Champion.from(storeUri, ...)}) finds the champion. The registry in the
	 * database is the authority; the pointer is its copy, rewritten on every move and at
	 * start-up.
	 */
	public void writeAlias(String pipeline, String alias, int version) {
		this.aliases.write(pipeline, alias, version);
	}

	/** The version an alias pointer in the store names, if there is one. */
	public Optional<Integer> readAlias(String pipeline, String alias) {
		return this.aliases.read(pipeline, alias);
	}

	/**
	 * Writes the committee the champion serves ({@value #COMMITTEE}: {@code json}, the
	 * committee download's manifest) in one piece, as the alias pointer is written, so
	 * that a serving application reading only the store serves the committee. The
	 * registry writes it on every change of the committee.
	 */
	public void writeCommittee(String pipeline, byte[] json) {
		this.aliases.writeCommittee(pipeline, json);
	}

	/** The committee manifest in the store, if there is one. */
	public Optional<byte[]> readCommittee(String pipeline) {
		return this.aliases.readCommittee(pipeline);
	}

	/** Removes the committee manifest (the alias's version serves alone again). */
	public void deleteCommittee(String pipeline) {
		this.aliases.deleteCommittee(pipeline);
	}

	/** Removes a version's files (the store's and any cached copy). */
	public void deleteVersion(String pipeline, int version) {
		this.cleanup.deleteVersion(pipeline, version);
	}

	/**
	 * Removes staging leftovers and versions that the registry does not list (a crash
	 * between writing the files and the registry insert). Returns what was removed.
	 */
	public List<String> cleanup(String pipeline, Set<Integer> registered) {
		return this.cleanup.cleanup(pipeline, registered);
	}

	/** The versions of a pipeline in the store (complete or not), ascending. */
	public List<Integer> storedVersions(String pipeline) {
		return this.layout.storedVersions(pipeline);
	}

	/** Pipelines that have versions (or leftovers) in the store. */
	public List<String> pipelines() {
		TreeSet<String> names = new TreeSet<>();
		Location root = this.layout.root();
		try {
			if (root.isDirectory()) {
				for (Location child : root.children()) {
					if (PathSegment.isName(child.name()) && child.isDirectory()) {
						names.add(child.name());
					}
				}
			}
			if (this.layout.remote() && Files.isDirectory(this.layout.local())) {
				try (Stream<Path> children = Files.list(this.layout.local())) {
					children.filter(Files::isDirectory)
						.map(p -> p.getFileName().toString())
						.filter(PathSegment::isName)
						.forEach(names::add);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return List.copyOf(names);
	}

	public static void deleteTree(Path dir) {
		StoreCleanup.deleteTree(dir);
	}

}

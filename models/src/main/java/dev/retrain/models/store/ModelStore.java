package dev.retrain.models.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

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
 */
public final class ModelStore {

	public static final String PARAMS = "model.params";

	public static final String METADATA = "metadata.json";

	private static final String STAGING = ".staging-";

	private final Location root;

	/** Where versions are staged and (for object storage) cached: local disk. */
	private final Path local;

	private final boolean remote;

	/** A store on local disk. */
	public ModelStore(Path root) {
		this.local = root.toAbsolutePath().normalize();
		this.root = Storage.local(this.local);
		this.remote = false;
	}

	/**
	 * A store at {@code root}: on local disk, or in object storage with {@code cache}
	 * (local) for staging and reading.
	 */
	public ModelStore(Location root, Path cache) {
		this.root = root;
		this.remote = root.localPath() == null;
		this.local = this.remote ? cache.toAbsolutePath().normalize() : root.localPath();
	}

	/**
	 * The local directory: the store itself on disk, or the staging and cache directory
	 * of a store in object storage.
	 */
	public Path root() {
		return this.local;
	}

	/** Where the store is: a local path or an {@code s3://} URI. */
	public String uri() {
		return this.root.uri();
	}

	public boolean isRemote() {
		return this.remote;
	}

	private Location versionLocation(String pipeline, int version) {
		return this.root.resolve(checked(pipeline) + "/" + version);
	}

	private static String checked(String pipeline) {
		return PathSegment.name("pipeline", pipeline).value();
	}

	/** Where a version is, as the registry records it: a local path or a URI. */
	public String describe(String pipeline, int version) {
		return versionLocation(pipeline, version).uri();
	}

	/**
	 * The version's files in a local directory: the store itself on disk, else the cache,
	 * filled from object storage (and refilled when a cached file does not match its
	 * recorded hash).
	 */
	public Path versionDir(String pipeline, int version) {
		Path dir = this.local.resolve(checked(pipeline)).resolve(Integer.toString(version));
		if (this.remote) {
			materialize(pipeline, version, dir);
		}
		return dir;
	}

	private void materialize(String pipeline, int version, Path dir) {
		Location from = versionLocation(pipeline, version);
		try {
			Location metaObject = from.resolve(METADATA);
			if (!metaObject.isFile()) {
				return;
			}
			Path meta = dir.resolve(METADATA);
			if (!Files.isRegularFile(meta) || !matches(dir)) {
				Path tmp = dir.resolveSibling(dir.getFileName() + ".download-" + UUID.randomUUID());
				Files.createDirectories(tmp);
				try {
					for (Location file : from.files()) {
						try (InputStream in = file.open()) {
							Files.copy(in, tmp.resolve(from.relativize(file)));
						}
					}
					deleteTree(dir);
					Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
				}
				finally {
					deleteTree(tmp);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read version " + version + " of " + pipeline + " from " + from.uri()
					+ ": " + ex.getMessage(), ex);
		}
	}

	/** A cached copy whose files match the hashes its metadata records. */
	private static boolean matches(Path dir) {
		try {
			Map<String, String> recorded = Json.read(dir.resolve(METADATA), ArtifactMetadata.class).files();
			return recorded != null && FileHashes.mismatches(dir, recorded).isEmpty();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/** A fresh, empty local staging directory for a version being written. */
	public Path stage(String pipeline) {
		try {
			Path dir = this.local.resolve(checked(pipeline)).resolve(STAGING + UUID.randomUUID());
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
		Location target = versionLocation(pipeline, version);
		if (!this.remote) {
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
			Path cached = this.local.resolve(pipeline).resolve(Integer.toString(version));
			deleteTree(cached);
			Files.move(staged, cached, StandardCopyOption.ATOMIC_MOVE);
			return target.uri();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write version " + version + " of " + pipeline + " to " + target.uri()
					+ ": " + ex.getMessage(), ex);
		}
	}

	public boolean exists(String pipeline, int version) {
		return has(pipeline, version, METADATA);
	}

	private boolean has(String pipeline, int version, String file) {
		try {
			return versionLocation(pipeline, version).resolve(file).isFile();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public ArtifactMetadata metadata(String pipeline, int version) {
		requireFile(pipeline, version, METADATA);
		if (!this.remote) {
			return Json.read(versionLocation(pipeline, version).resolve(METADATA).localPath(), ArtifactMetadata.class);
		}
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
		if (!has(pipeline, version, file)) {
			throw new VersionFilesMissing(pipeline, version, "is missing " + pipeline + "/" + version + "/" + file);
		}
	}

	/**
	 * What is wrong with a version's files in the store: missing ones, and those whose
	 * SHA-256 is not the one its metadata records; empty when it is whole.
	 */
	public List<String> problems(String pipeline, int version) {
		Location dir = versionLocation(pipeline, version);
		List<String> problems = new ArrayList<>();
		for (String file : List.of(METADATA, PARAMS)) {
			if (!has(pipeline, version, file)) {
				problems.add("is missing " + pipeline + "/" + version + "/" + file);
			}
		}
		if (!problems.isEmpty()) {
			return problems;
		}
		Map<String, String> recorded;
		try (InputStream in = dir.resolve(METADATA).open()) {
			recorded = Json.MAPPER.readValue(in, ArtifactMetadata.class).files();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		if (recorded != null) {
			recorded.forEach((file, sha) -> {
				Location f = dir.resolve(file);
				if (!has(pipeline, version, file)) {
					problems.add("is missing " + pipeline + "/" + version + "/" + file);
				}
				else if (!sha.equals(sha256(f))) {
					problems.add("has " + pipeline + "/" + version + "/" + file
							+ " changed since it was registered (its SHA-256 is not the one in metadata.json)");
				}
			});
		}
		return problems;
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
		Path dir = versionDir(pipeline, version);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			for (String name : List.of(METADATA, PARAMS, "reference.parquet")) {
				Path file = dir.resolve(name);
				if (!Files.isRegularFile(file)) {
					continue;
				}
				ZipEntry entry = new ZipEntry(name);
				entry.setTime(0);
				zip.putNextEntry(entry);
				Files.copy(file, zip);
				zip.closeEntry();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot archive " + pipeline + " v" + version, ex);
		}
		return bytes.toByteArray();
	}

	public ModelArtifact load(String pipeline, int version) {
		requireComplete(pipeline, version);
		Path dir = versionDir(pipeline, version);
		if (this.remote && !matches(dir)) {
			throw new VersionFilesMissing(pipeline, version,
					"has a cached copy that does not match its recorded hashes");
		}
		return new ModelArtifact(Json.read(dir.resolve(METADATA), ArtifactMetadata.class), dir.resolve(PARAMS));
	}

	/** Where a pipeline's alias pointers are: {@code <pipeline>/aliases/<alias>.json}. */
	public static final String ALIASES = "aliases";

	/** What an alias pointer says: the version it names. */
	public record AliasPointer(String pipeline, String alias, int version) {
	}

	/**
	 * Writes the pointer of {@code alias} to {@code version} into the store, so that a
	 * serving application that reads only the store
	 * ({@code Champion.from(storeUri, ...)}) finds the champion. The registry in the
	 * database is the authority; the pointer is its copy, rewritten on every move and at
	 * start-up.
	 */
	public void writeAlias(String pipeline, String alias, int version) {
		try {
			Path tmp = Files.createTempFile("alias-", ".json");
			try {
				Json.write(tmp, new AliasPointer(pipeline, alias, version));
				this.root.resolve(checked(pipeline) + "/" + ALIASES + "/" + checkedAlias(alias) + ".json").upload(tmp);
			}
			finally {
				Files.deleteIfExists(tmp);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot write alias '" + alias + "' of " + pipeline + " to " + uri() + ": " + ex.getMessage(), ex);
		}
	}

	/** The version an alias pointer in the store names, if there is one. */
	public Optional<Integer> readAlias(String pipeline, String alias) {
		Location file = this.root.resolve(checked(pipeline) + "/" + ALIASES + "/" + checkedAlias(alias) + ".json");
		try {
			if (!file.isFile()) {
				return Optional.empty();
			}
			try (InputStream in = file.open()) {
				return Optional.of(Json.MAPPER.readValue(in, AliasPointer.class).version());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot read alias '" + alias + "' of " + pipeline + " at " + file.uri() + ": " + ex.getMessage(),
					ex);
		}
	}

	private static String checkedAlias(String alias) {
		return PathSegment.name("alias", alias).value();
	}

	/** Removes a version's files (the store's and any cached copy). */
	public void deleteVersion(String pipeline, int version) {
		try {
			versionLocation(pipeline, version).deleteAll();
			if (this.remote) {
				deleteTree(this.local.resolve(pipeline).resolve(Integer.toString(version)));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"cannot delete version " + version + " of " + pipeline + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Removes staging leftovers and versions that the registry does not list (a crash
	 * between writing the files and the registry insert). Returns what was removed.
	 */
	public List<String> cleanup(String pipeline, Set<Integer> registered) {
		List<String> removed = new ArrayList<>();
		Path staging = this.local.resolve(checked(pipeline));
		if (Files.isDirectory(staging)) {
			try (Stream<Path> children = Files.list(staging)) {
				for (Path child : children.toList()) {
					String name = child.getFileName().toString();
					boolean leftover = name.startsWith(STAGING) || name.contains(".download-");
					boolean orphan = this.remote && name.matches("\\d+")
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
		for (int version : storedVersions(pipeline)) {
			if (!registered.contains(version)) {
				deleteVersion(pipeline, version);
				removed.add(describe(pipeline, version));
			}
		}
		return removed;
	}

	/**
	 * The versions of a pipeline in the store (complete or not), ascending.
	 */
	public List<Integer> storedVersions(String pipeline) {
		Location dir = this.root.resolve(checked(pipeline));
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

	/** Pipelines that have versions (or leftovers) in the store. */
	public List<String> pipelines() {
		TreeSet<String> names = new TreeSet<>();
		try {
			if (this.root.isDirectory()) {
				for (Location child : this.root.children()) {
					if (PathSegment.isName(child.name()) && child.isDirectory()) {
						names.add(child.name());
					}
				}
			}
			if (this.remote && Files.isDirectory(this.local)) {
				try (Stream<Path> children = Files.list(this.local)) {
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

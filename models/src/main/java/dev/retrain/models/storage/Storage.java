package dev.retrain.models.storage;

import java.nio.file.Path;

/**
 * Turns what a configuration names into a {@link Location}: {@code s3://bucket/prefix}
 * (object storage, reached with the given settings) or a local path (absolute as written,
 * or relative to a base directory).
 */
public final class Storage {

	private Storage() {
	}

	public static boolean isObjectStorage(String pathOrUri) {
		return pathOrUri.startsWith("s3://");
	}

	public static Location locate(String pathOrUri, Path base, S3Settings s3) {
		if (isObjectStorage(pathOrUri)) {
			return S3Storage.of(s3).locate(pathOrUri);
		}
		Path p = Path.of(pathOrUri);
		return new LocalLocation(p.isAbsolute() ? p : base.resolve(p));
	}

	public static Location local(Path path) {
		return new LocalLocation(path);
	}

}

package dev.retrain.models.dataset;

import java.time.LocalDate;

/**
 * One Parquet file of a snapshot: where it is, the day partition it belongs to, and what
 * it held when seen: its size, rows and either the SHA-256 of its content (a local file)
 * or its ETag (an object in object storage, where hashing would mean reading it all).
 */
public record DataFile(String path, LocalDate day, long sizeBytes, long rows, String sha256, String etag) {

	/** A local file: identified by the SHA-256 of its content. */
	public DataFile(String path, LocalDate day, long sizeBytes, long rows, String sha256) {
		this(path, day, sizeBytes, rows, sha256, null);
	}

}

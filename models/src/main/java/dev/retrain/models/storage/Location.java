package dev.retrain.models.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

import org.apache.parquet.io.InputFile;

/**
 * A file or a directory of data, on local disk or in S3-compatible object storage
 * ({@code s3://bucket/prefix}): what a pipeline's {@code data.path} and golden holdouts
 * name. A directory in object storage is a key prefix.
 */
public interface Location {

	/** The absolute local path, or {@code s3://bucket/key}: what is stored and shown. */
	String uri();

	/** The last segment of the path or key. */
	String name();

	Location resolve(String relative);

	/** The directory (or prefix) this location is in. */
	Location parent();

	/** The path of {@code descendant} relative to this location, with '/' separators. */
	String relativize(Location descendant);

	boolean isDirectory() throws IOException;

	boolean isFile() throws IOException;

	/** Immediate children, directories and files, sorted by name. */
	List<Location> children() throws IOException;

	/** Every file below this directory, sorted by path. */
	List<Location> files() throws IOException;

	long size() throws IOException;

	/**
	 * What identifies this content without reading it: an object's ETag; null for a local
	 * file (its content hash is computed instead).
	 */
	String etag() throws IOException;

	/** For Parquet: reads only the byte ranges asked for (footer, column chunks). */
	InputFile inputFile();

	/**
	 * For Parquet, pinned to the content a snapshot recorded: an object whose ETag is no
	 * longer {@code etag} (replaced since) fails every read instead of mixing two
	 * versions. A local file (or a null etag) is read as {@link #inputFile()}.
	 */
	default InputFile inputFile(String etag) {
		return inputFile();
	}

	InputStream open() throws IOException;

	/** A local file's path, or null: a file in object storage. */
	Path localPath();

	/** Writes a local file's bytes here (an object is replaced whole, or not at all). */
	void upload(Path file) throws IOException;

	/** Deletes this file, or everything below this directory; nothing there is fine. */
	void deleteAll() throws IOException;

}

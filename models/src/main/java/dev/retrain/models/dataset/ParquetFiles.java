package dev.retrain.models.dataset;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;

import dev.retrain.models.storage.Location;
import dev.retrain.models.storage.ObjectStorageFailure;
import dev.retrain.models.storage.Storage;

/** Opens local Parquet files without a Hadoop file system. */
final class ParquetFiles {

	private ParquetFiles() {
	}

	static ParquetFileReader open(Path file) throws IOException {
		return open(Storage.local(file));
	}

	/**
	 * Opens a local file or an object (ranged reads: footer and column chunks only).
	 */
	static ParquetFileReader open(Location file) throws IOException {
		return open(file, null);
	}

	/** The same, pinned to the ETag a snapshot recorded (null: not pinned). */
	static ParquetFileReader open(Location file, String etag) throws IOException {
		// pages written with a CRC (ours always are) are verified: scrambled bytes fail
		// the read, naming the file
		ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
			.usePageChecksumVerification(true)
			.build();
		return ParquetFileReader.open(file.inputFile(etag), options);
	}

	/** Opens a file, turning any failure into a message that names it. */
	static ParquetFileReader openOrFail(Location file, String shownName) {
		return openOrFail(file, shownName, null);
	}

	/** The same, pinned to the ETag a snapshot recorded (null: not pinned). */
	static ParquetFileReader openOrFail(Location file, String shownName, String etag) {
		try {
			return open(file, etag);
		}
		catch (IOException | RuntimeException ex) {
			throw unreadable(shownName, "not a readable Parquet file (corrupt or truncated?): ", ex);
		}
	}

	/**
	 * A file that could not be read: when object storage refused or failed a request, the
	 * server's answer (the file is not to blame), else {@code blame} and the root cause.
	 */
	static DataValidationFailed unreadable(String shownName, String blame, Throwable ex) {
		ObjectStorageFailure storage = storageFailure(ex);
		return new DataValidationFailed(shownName, null,
				(storage != null) ? storage.getMessage() : blame + rootMessage(ex), ex);
	}

	private static ObjectStorageFailure storageFailure(Throwable ex) {
		for (Throwable t = ex; t != null; t = (t.getCause() != t) ? t.getCause() : null) {
			if (t instanceof ObjectStorageFailure failure) {
				return failure;
			}
		}
		return null;
	}

	static String rootMessage(Throwable ex) {
		Throwable t = ex;
		while (t.getCause() != null && t.getCause() != t && !(t instanceof ObjectStorageFailure)) {
			t = t.getCause();
		}
		if (t instanceof ObjectStorageFailure) {
			return t.getMessage();
		}
		String m = t.getMessage();
		return t.getClass().getSimpleName() + ((m != null) ? ": " + m : "");
	}

}

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
			throw new DataValidationFailed(shownName, null,
					"not a readable Parquet file (corrupt or truncated?): " + rootMessage(ex), ex);
		}
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

package dev.retrain.models.dataset;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;

/** Opens local Parquet files without a Hadoop file system. */
final class ParquetFiles {

	private ParquetFiles() {
	}

	static ParquetFileReader open(Path file) throws IOException {
		// pages written with a CRC (ours always are) are verified: scrambled bytes fail
		// the read, naming the file
		ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
			.usePageChecksumVerification(true)
			.build();
		return ParquetFileReader.open(new NamedInputFile(file), options);
	}

	/**
	 * A local file whose {@code toString} is its path, so parquet's own messages name it
	 * readably.
	 */
	private static final class NamedInputFile extends LocalInputFile {

		private final Path path;

		NamedInputFile(Path path) {
			super(path);
			this.path = path;
		}

		@Override
		public String toString() {
			return this.path.getFileName().toString();
		}

	}

	/** Opens a file, turning any failure into a message that names it. */
	static ParquetFileReader openOrFail(Path file, String shownName) {
		try {
			return open(file);
		}
		catch (IOException | RuntimeException ex) {
			throw new DataValidationFailed(shownName, null,
					"not a readable Parquet file (corrupt or truncated?): " + rootMessage(ex), ex);
		}
	}

	static String rootMessage(Throwable ex) {
		Throwable t = ex;
		while (t.getCause() != null && t.getCause() != t) {
			t = t.getCause();
		}
		String m = t.getMessage();
		return t.getClass().getSimpleName() + ((m != null) ? ": " + m : "");
	}

}

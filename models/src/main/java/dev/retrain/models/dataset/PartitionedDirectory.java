package dev.retrain.models.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.parquet.hadoop.ParquetFileReader;

import dev.retrain.models.files.FileHashes;

/**
 * A directory of Parquet files partitioned Hive-style by day:
 * {@code dt=YYYY-MM-DD/*.parquet}. Resolving a window records each file's size, row count
 * and content hash.
 */
public final class PartitionedDirectory {

	private static final String PREFIX = "dt=";

	private final Path root;

	public PartitionedDirectory(Path root) {
		this.root = root;
	}

	public Path root() {
		return this.root;
	}

	/** Days that have a partition directory, in order. */
	public List<LocalDate> days() {
		if (!Files.isDirectory(this.root)) {
			throw new DataValidationFailed(this.root.toString(), null, "data directory does not exist");
		}
		List<LocalDate> days = new ArrayList<>();
		try (Stream<Path> dirs = Files.list(this.root)) {
			for (Path dir : dirs.filter(Files::isDirectory).toList()) {
				String name = dir.getFileName().toString();
				if (name.startsWith(PREFIX)) {
					try {
						days.add(LocalDate.parse(name.substring(PREFIX.length())));
					}
					catch (DateTimeParseException ex) {
						throw new DataValidationFailed(dir.toString(), null, "partition name is not dt=YYYY-MM-DD");
					}
				}
			}
		}
		catch (IOException ex) {
			throw new DataValidationFailed(this.root.toString(), null, "cannot list: " + ex.getMessage(), ex);
		}
		days.sort(null);
		return days;
	}

	/**
	 * Files of the days {@code from..to} (both inclusive), each opened once to read its
	 * footer and hashed.
	 */
	public List<DataFile> resolve(LocalDate from, LocalDate to) {
		List<DataFile> files = new ArrayList<>();
		for (LocalDate day : days()) {
			if (day.isBefore(from) || day.isAfter(to)) {
				continue;
			}
			Path dir = this.root.resolve(PREFIX + day);
			try (Stream<Path> list = Files.list(dir)) {
				for (Path file : list.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList()) {
					files.add(describe(file, day));
				}
			}
			catch (IOException ex) {
				throw new DataValidationFailed(dir.toString(), null, "cannot list: " + ex.getMessage(), ex);
			}
		}
		if (files.isEmpty()) {
			throw new DataValidationFailed(this.root.toString(), null, "no Parquet files in the window " + from + " .. "
					+ to + " (partitions present: " + summary(days()) + ")");
		}
		return files;
	}

	/**
	 * Describes all Parquet files below a directory that is not partitioned (e.g. a
	 * golden holdout).
	 */
	public List<DataFile> resolveAll() {
		if (!Files.isDirectory(this.root) && !Files.isRegularFile(this.root)) {
			throw new DataValidationFailed(this.root.toString(), null, "does not exist");
		}
		try (Stream<Path> walk = Files.walk(this.root)) {
			List<DataFile> files = new ArrayList<>();
			for (Path file : walk.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList()) {
				files.add(describe(file, null));
			}
			if (files.isEmpty()) {
				throw new DataValidationFailed(this.root.toString(), null, "holds no Parquet files");
			}
			return files;
		}
		catch (IOException ex) {
			throw new DataValidationFailed(this.root.toString(), null, "cannot list: " + ex.getMessage(), ex);
		}
	}

	private DataFile describe(Path file, LocalDate day) {
		String shown = Files.isDirectory(this.root) ? this.root.relativize(file).toString()
				: file.getFileName().toString();
		long rows;
		try (ParquetFileReader reader = ParquetFiles.openOrFail(file, shown)) {
			rows = reader.getRecordCount();
		}
		catch (IOException ex) {
			throw new DataValidationFailed(shown, null, "cannot read footer: " + ex.getMessage(), ex);
		}
		try {
			return new DataFile(shown, day, Files.size(file), rows, FileHashes.sha256(file));
		}
		catch (IOException ex) {
			throw new DataValidationFailed(shown, null, "cannot read: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Where a file of this directory lives, for reading: {@link ParquetTableReader} takes
	 * the same root.
	 */
	public Path baseForReading() {
		return Files.isDirectory(this.root) ? this.root : this.root.getParent();
	}

	private static String summary(List<LocalDate> days) {
		return days.isEmpty() ? "none"
				: days.get(0) + " .. " + days.get(days.size() - 1) + " (" + days.size() + " days)";
	}

}

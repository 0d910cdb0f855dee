package dev.retrain.models.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import org.apache.parquet.hadoop.ParquetFileReader;

import dev.retrain.models.files.FileHashes;
import dev.retrain.models.storage.Location;
import dev.retrain.models.storage.Storage;

/**
 * A directory of Parquet files partitioned Hive-style by day:
 * {@code dt=YYYY-MM-DD/*.parquet}, on local disk or under a prefix in object storage.
 * Resolving a window records each file's size, row count and identity: the content hash
 * of a local file, the ETag of an object (hashing it would mean reading it all).
 */
public final class PartitionedDirectory {

	public static final String PREFIX = "dt=";

	private final Location root;

	public PartitionedDirectory(Path root) {
		this(Storage.local(root));
	}

	public PartitionedDirectory(Location root) {
		this.root = root;
	}

	public Location root() {
		return this.root;
	}

	/** Days that have a partition directory, in order. */
	public List<LocalDate> days() {
		List<LocalDate> days = new ArrayList<>();
		try {
			if (!this.root.isDirectory()) {
				throw new DataValidationFailed(this.root.uri(), null, "data directory does not exist");
			}
			for (Location dir : this.root.children()) {
				String name = dir.name();
				if (name.startsWith(PREFIX) && dir.isDirectory()) {
					try {
						days.add(LocalDate.parse(name.substring(PREFIX.length())));
					}
					catch (DateTimeParseException ex) {
						throw new DataValidationFailed(dir.uri(), null, "partition name is not dt=YYYY-MM-DD");
					}
				}
			}
		}
		catch (IOException ex) {
			throw new DataValidationFailed(this.root.uri(), null, "cannot list: " + ex.getMessage(), ex);
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
		List<LocalDate> days = days();
		for (LocalDate day : days) {
			if (day.isBefore(from) || day.isAfter(to)) {
				continue;
			}
			Location dir = this.root.resolve(PREFIX + day);
			try {
				for (Location file : dir.children()) {
					if (file.name().endsWith(".parquet") && file.isFile()) {
						files.add(describe(file, day));
					}
				}
			}
			catch (IOException ex) {
				throw new DataValidationFailed(dir.uri(), null, "cannot list: " + ex.getMessage(), ex);
			}
		}
		if (files.isEmpty()) {
			throw new DataValidationFailed(this.root.uri(), null, "no Parquet files in the window " + from + " .. " + to
					+ " (partitions present: " + summary(days) + ")");
		}
		return files;
	}

	/**
	 * Describes all Parquet files below a directory that is not partitioned (e.g. a
	 * golden holdout), or the one file it names.
	 */
	public List<DataFile> resolveAll() {
		try {
			boolean directory = this.root.isDirectory();
			if (!directory && !this.root.isFile()) {
				throw new DataValidationFailed(this.root.uri(), null, "does not exist");
			}
			List<DataFile> files = new ArrayList<>();
			for (Location file : directory ? this.root.files() : List.of(this.root)) {
				if (file.name().endsWith(".parquet")) {
					files.add(describe(file, null));
				}
			}
			if (files.isEmpty()) {
				throw new DataValidationFailed(this.root.uri(), null, "holds no Parquet files");
			}
			return files;
		}
		catch (IOException ex) {
			throw new DataValidationFailed(this.root.uri(), null, "cannot list: " + ex.getMessage(), ex);
		}
	}

	private DataFile describe(Location file, LocalDate day) throws IOException {
		String shown = file.equals(this.root) ? file.name() : this.root.relativize(file);
		long rows;
		try (ParquetFileReader reader = ParquetFiles.openOrFail(file, shown)) {
			rows = reader.getRecordCount();
		}
		catch (IOException ex) {
			throw new DataValidationFailed(shown, null, "cannot read footer: " + ex.getMessage(), ex);
		}
		try {
			Path local = file.localPath();
			return (local != null) ? new DataFile(shown, day, file.size(), rows, FileHashes.sha256(local))
					: new DataFile(shown, day, file.size(), rows, null, file.etag());
		}
		catch (IOException | UncheckedIOException ex) {
			throw new DataValidationFailed(shown, null, "cannot read: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Where a file of this directory lives, for reading: {@link ParquetTableReader} takes
	 * the same root.
	 */
	public Location baseForReading() {
		try {
			if (this.root.isDirectory()) {
				return this.root;
			}
		}
		catch (IOException ex) {
			throw new DataValidationFailed(this.root.uri(), null, "cannot list: " + ex.getMessage(), ex);
		}
		return this.root.parent();
	}

	private static String summary(List<LocalDate> days) {
		return days.isEmpty() ? "none"
				: days.get(0) + " .. " + days.get(days.size() - 1) + " (" + days.size() + " days)";
	}

}

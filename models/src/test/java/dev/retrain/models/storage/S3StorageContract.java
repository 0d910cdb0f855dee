package dev.retrain.models.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.ParquetTableWriter;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Parquet in S3-compatible object storage, against a real server process: the same tables
 * as from local disk, read by ranged requests (footer and the column chunks asked for),
 * and failures that name the object. {@link S3StorageIT} runs it against each server.
 */
@TestInstance(Lifecycle.PER_CLASS)
abstract class S3StorageContract {

	static final LocalDate DAY = LocalDate.parse("2024-01-01");

	S3CompatibleServer server;

	/** The same data on local disk, uploaded to the server. */
	Path local;

	/** The server, started. */
	abstract S3CompatibleServer start();

	@BeforeAll
	void data(@TempDir Path dir) throws IOException {
		this.local = dir;
		this.server = start();
		this.server.createBucket("storage-tests");
		int n = 100_000;
		Random random = new Random(3);
		ParquetTableWriter wide = new ParquetTableWriter();
		for (int c = 0; c < 8; c++) {
			double[] values = new double[n];
			for (int i = 0; i < n; i++) {
				values[i] = random.nextGaussian();
			}
			wide.doubles("c" + c, values);
		}
		wide.write(this.local.resolve("dt=" + DAY + "/part-0.parquet"));
		new ParquetTableWriter().doubles("c0", new double[] { 1, 2, 3 })
			.write(this.local.resolve("dt=" + DAY.plusDays(1) + "/part-0.parquet"));
		this.server.upload(this.local, "storage-tests", "sales");
	}

	Location s3(String uri) {
		return Storage.locate(uri, Path.of("."), this.server.settings());
	}

	@Test
	void aPartitionedPrefixReadsAsTheSameTableAsTheLocalDirectoryWithOnlyTheColumnsAskedForFetched() {
		S3Storage storage = S3Storage.of(this.server.settings());
		PartitionedDirectory remote = new PartitionedDirectory(s3("s3://storage-tests/sales"));
		PartitionedDirectory disk = new PartitionedDirectory(this.local);

		assertThat(remote.days()).containsExactly(DAY, DAY.plusDays(1));
		List<DataFile> files = remote.resolve(DAY, DAY.plusDays(1));
		assertThat(files).extracting(DataFile::path)
			.containsExactly("dt=2024-01-01/part-0.parquet", "dt=2024-01-02/part-0.parquet");
		assertThat(files).extracting(DataFile::rows).containsExactly(100_000L, 3L);
		assertThat(files).allSatisfy(f -> assertThat(f.etag()).isNotBlank());
		long objectBytes = files.get(0).sizeBytes();

		long before = storage.bytesFetched();
		Table fromS3 = new ParquetTableReader(remote.root()).read(files.subList(0, 1),
				List.of(ColumnRequest.numeric("c3")));
		long fetched = storage.bytesFetched() - before;

		Table fromDisk = new ParquetTableReader(this.local).read(disk.resolve(DAY, DAY),
				List.of(ColumnRequest.numeric("c3")));
		assertThat(fromS3.numeric("c3").values()).containsExactly(fromDisk.numeric("c3").values());
		assertThat(fetched).as("bytes fetched to read 1 of 8 columns of a %d-byte object", objectBytes)
			.isLessThan(objectBytes / 4);
	}

	@Test
	void aMissingBucketFailsNamingIt() {
		assertThatThrownBy(() -> new PartitionedDirectory(s3("s3://no-such-bucket/sales")).days())
			.isInstanceOf(DataValidationFailed.class)
			.hasMessageContaining("s3://no-such-bucket/sales")
			.hasMessageContaining("the bucket does not exist");
	}

	@Test
	void anObjectThatVanishesBeforeItIsReadFailsNamingIt() throws IOException {
		this.server.upload(this.local, "storage-tests", "vanishing");
		PartitionedDirectory dir = new PartitionedDirectory(s3("s3://storage-tests/vanishing"));
		List<DataFile> files = dir.resolve(DAY, DAY);
		this.server.client()
			.deleteObject(b -> b.bucket("storage-tests").key("vanishing/dt=" + DAY + "/part-0.parquet"));

		assertThatThrownBy(() -> new ParquetTableReader(dir.root()).read(files, List.of(ColumnRequest.numeric("c0"))))
			.isInstanceOf(DataValidationFailed.class)
			.hasMessageContaining("dt=2024-01-01/part-0.parquet")
			.hasMessageContaining("does not exist");
	}

	/**
	 * Reads are pinned to the ETag the snapshot recorded: an object replaced between the
	 * snapshot and the read (a late backfill rewriting a partition) fails the read,
	 * rather than training on data the run's lineage does not describe, or on the bytes
	 * of two versions.
	 */
	@Test
	void anObjectReplacedAfterTheSnapshotFailsTheReadNamingIt(@TempDir Path other) throws IOException {
		this.server.upload(this.local, "storage-tests", "replaced");
		PartitionedDirectory dir = new PartitionedDirectory(s3("s3://storage-tests/replaced"));
		List<DataFile> files = dir.resolve(DAY.plusDays(1), DAY.plusDays(1));
		new ParquetTableWriter().doubles("c0", new double[] { 4, 5, 6 }).write(other.resolve("part-0.parquet"));
		this.server.upload(other, "storage-tests", "replaced/dt=" + DAY.plusDays(1));

		assertThatThrownBy(() -> new ParquetTableReader(dir.root()).read(files, List.of(ColumnRequest.numeric("c0"))))
			.isInstanceOf(DataValidationFailed.class)
			.hasMessageContaining("dt=2024-01-02/part-0.parquet")
			.hasMessageContaining("changed since the run's snapshot");
		// read afresh (a new snapshot), it is the new content
		assertThat(new ParquetTableReader(dir.root())
			.read(dir.resolve(DAY.plusDays(1), DAY.plusDays(1)), List.of(ColumnRequest.numeric("c0")))
			.numeric("c0")
			.values()).containsExactly(4, 5, 6);
	}

	/** What the model store and run workspaces do: upload, list, read back, delete. */
	@Test
	void filesUploadedThroughTheStoreReadBackAndDelete(@TempDir Path dir) throws IOException {
		Path file = Files.writeString(dir.resolve("metadata.json"), "{\"version\": 1}");
		Location prefix = s3("s3://storage-tests/store/sample/1");
		prefix.resolve("metadata.json").upload(file);

		assertThat(prefix.files()).extracting(Location::name).containsExactly("metadata.json");
		try (var in = prefix.resolve("metadata.json").open()) {
			assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"version\": 1}");
		}
		prefix.deleteAll();
		assertThat(prefix.files()).isEmpty();
	}

	@Test
	void keysCannotClimbOutOfTheirPrefix() {
		assertThatThrownBy(() -> s3("s3://storage-tests/sales").resolve("../other"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("'..'");
		assertThat(Files.exists(this.local)).isTrue();
	}

}

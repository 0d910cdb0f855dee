package dev.retrain.models.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParquetTableReaderTests {

	@TempDir
	Path dir;

	@Test
	void readsColumnsAcrossPartitionsWithNullsAndDays() throws IOException {
		new ParquetTableWriter().doubles("x", new double[] { 1.5, 2.5, 0 }, new boolean[] { false, false, true })
			.strings("c", new String[] { "a", null, "b" })
			.ints("y", new int[] { 0, 1, 1 })
			.write(this.dir.resolve("dt=2024-01-01/part-0.parquet"));
		new ParquetTableWriter().doubles("x", new double[] { 7 })
			.strings("c", new String[] { "z" })
			.ints("y", new int[] { 0 })
			.write(this.dir.resolve("dt=2024-01-02/part-0.parquet"));
		PartitionedDirectory data = new PartitionedDirectory(this.dir);
		List<DataFile> files = data.resolve(LocalDate.parse("2024-01-01"), LocalDate.parse("2024-01-02"));

		Table t = new ParquetTableReader(this.dir).read(files,
				List.of(ColumnRequest.numeric("x"), ColumnRequest.string("c"), ColumnRequest.string("y")));

		assertThat(t.rows()).isEqualTo(4);
		assertThat(t.numeric("x").values()).containsExactly(1.5, 2.5, Double.NaN, 7.0);
		assertThat(t.numeric("x").isNull(2)).isTrue();
		assertThat(t.strings("c").values()).containsExactly("a", null, "b", "z");
		assertThat(t.strings("y").values()).containsExactly("0", "1", "1", "0");
		assertThat(t.epochDays()[3]).isEqualTo(LocalDate.parse("2024-01-02").toEpochDay());
		assertThat(t.fileOf(3)).isEqualTo("dt=2024-01-02/part-0.parquet");
		assertThat(files).extracting(DataFile::rows).containsExactly(3L, 1L);
	}

	@Test
	void rowGroupsStreamInSlicesThatAddUpToTheWholeFileAndMissingColumnsAreNamed() throws IOException {
		int n = 5000;
		double[] x = new double[n];
		boolean[] nulls = new boolean[n];
		String[] s = new String[n];
		for (int i = 0; i < n; i++) {
			x[i] = i * 0.5;
			nulls[i] = i % 7 == 0;
			s[i] = (i % 11 == 0) ? null : "v" + (i % 13);
		}
		new ParquetTableWriter().doubles("x", x, nulls)
			.strings("s", s)
			.rowGroupBytes(8 * 1024)
			.write(this.dir.resolve("dt=2024-01-01/p.parquet"));
		DataFile file = new DataFile("dt=2024-01-01/p.parquet", LocalDate.parse("2024-01-01"), 0, n, "");
		ParquetTableReader reader = new ParquetTableReader(this.dir);
		List<ColumnRequest> cols = List.of(ColumnRequest.numeric("x"), ColumnRequest.string("s"));
		Table whole = reader.read(List.of(file), cols);

		List<ParquetTableReader.RowGroup> groups = reader.rowGroups(List.of(file));
		assertThat(groups).hasSizeGreaterThan(1);
		assertThat(groups.stream().mapToLong(ParquetTableReader.RowGroup::rows).sum()).isEqualTo(n);
		List<Integer> sizes = new java.util.ArrayList<>();
		int[] at = { 0 };
		for (ParquetTableReader.RowGroup g : groups) {
			reader.read(g, cols, 300, part -> {
				sizes.add(part.rows());
				for (int r = 0; r < part.rows(); r++) {
					int i = at[0] + r;
					assertThat(part.numeric("x").isNull(r)).isEqualTo(whole.numeric("x").isNull(i));
					if (!whole.numeric("x").isNull(i)) {
						assertThat(part.numeric("x").values()[r]).isEqualTo(whole.numeric("x").values()[i]);
					}
					assertThat(part.strings("s").values()[r]).isEqualTo(whole.strings("s").values()[i]);
				}
				assertThat(part.epochDays()[0]).isEqualTo((int) LocalDate.parse("2024-01-01").toEpochDay());
				at[0] += part.rows();
			});
		}
		assertThat(at[0]).isEqualTo(n);
		assertThat(sizes).allSatisfy(k -> assertThat(k).isBetween(1, 300));

		assertThatThrownBy(() -> reader.read(groups.get(0), List.of(ColumnRequest.numeric("y")), 300, part -> {
		})).isInstanceOf(DataValidationFailed.class)
			.hasMessageContaining("dt=2024-01-01/p.parquet")
			.hasMessageContaining("y");
	}

	@Test
	void snapshotIdDependsOnContentOnly() throws IOException {
		new ParquetTableWriter().doubles("x", new double[] { 1 }).write(this.dir.resolve("dt=2024-01-01/p.parquet"));
		PartitionedDirectory data = new PartitionedDirectory(this.dir);
		LocalDate day = LocalDate.parse("2024-01-01");
		String first = DatasetSnapshot.of(data.resolve(day, day)).id();
		assertThat(DatasetSnapshot.of(data.resolve(day, day)).id()).isEqualTo(first);
		new ParquetTableWriter().doubles("x", new double[] { 2 }).write(this.dir.resolve("dt=2024-01-01/p.parquet"));
		assertThat(DatasetSnapshot.of(data.resolve(day, day)).id()).isNotEqualTo(first);
	}

	@Test
	void truncatedFileIsRejectedNamingTheFile() throws IOException {
		Path file = this.dir.resolve("dt=2024-01-01/part-0.parquet");
		new ParquetTableWriter().doubles("x", new double[] { 1, 2, 3 }).write(file);
		byte[] bytes = Files.readAllBytes(file);
		Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
		LocalDate day = LocalDate.parse("2024-01-01");

		assertThatThrownBy(() -> new PartitionedDirectory(this.dir).resolve(day, day))
			.isInstanceOf(DataValidationFailed.class)
			.hasMessageContaining("dt=2024-01-01/part-0.parquet")
			.hasMessageContaining("not a readable Parquet file");
	}

	@Test
	void aPageWhoseBytesChangedFailsItsChecksumInsteadOfDecodingToGarbage() throws IOException {
		Path file = this.dir.resolve("dt=2024-01-01/part-0.parquet");
		double[] x = new double[10_000];
		for (int i = 0; i < x.length; i++) {
			x[i] = i * 0.37;
		}
		new ParquetTableWriter().codec(org.apache.parquet.hadoop.metadata.CompressionCodecName.UNCOMPRESSED)
			.doubles("x", x)
			.write(file);
		long start;
		long size;
		try (var reader = ParquetFiles.open(file)) {
			var chunk = reader.getRowGroups().get(0).getColumns().get(0);
			start = chunk.getStartingPos();
			size = chunk.getTotalSize();
		}
		// one byte in the middle of the column chunk's values: PLAIN doubles would decode
		// to a wrong number
		byte[] bytes = Files.readAllBytes(file);
		bytes[(int) (start + size / 2)] ^= 0x55;
		Files.write(file, bytes);
		LocalDate day = LocalDate.parse("2024-01-01");
		var files = new PartitionedDirectory(this.dir).resolve(day, day);

		assertThatThrownBy(() -> new ParquetTableReader(this.dir).read(files, List.of(ColumnRequest.numeric("x"))))
			.isInstanceOf(DataValidationFailed.class)
			.hasMessageContaining("dt=2024-01-01/part-0.parquet")
			.hasMessageContaining("corrupt");
	}

	@Test
	void missingAndMistypedColumnsAreNamed() throws IOException {
		new ParquetTableWriter().strings("x", new String[] { "oops" })
			.write(this.dir.resolve("dt=2024-01-01/p.parquet"));
		LocalDate day = LocalDate.parse("2024-01-01");
		List<DataFile> files = new PartitionedDirectory(this.dir).resolve(day, day);

		assertThatThrownBy(() -> new ParquetTableReader(this.dir).read(files,
				List.of(ColumnRequest.numeric("x"), ColumnRequest.numeric("missing"))))
			.isInstanceOf(DataValidationFailed.class)
			.hasMessageContaining("file dt=2024-01-01/p.parquet, column 'x': has type BINARY")
			.hasMessageContaining("column 'missing': missing column");
	}

	@Test
	void emptyWindowAndMissingDirectoryAreNamed() throws IOException {
		LocalDate day = LocalDate.parse("2024-01-01");
		assertThatThrownBy(() -> new PartitionedDirectory(this.dir.resolve("nope")).resolve(day, day))
			.hasMessageContaining("nope")
			.hasMessageContaining("data directory does not exist");
		new ParquetTableWriter().doubles("x", new double[] { 1 }).write(this.dir.resolve("dt=2023-01-01/p.parquet"));
		assertThatThrownBy(() -> new PartitionedDirectory(this.dir).resolve(day, day))
			.hasMessageContaining("no Parquet files in the window 2024-01-01 .. 2024-01-01");
	}

}

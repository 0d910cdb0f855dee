package dev.retrain.jobs.backtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CSV import writes every row of the file to its day, read back with the product's
 * own reader, and refuses a file it cannot import whole with the line and column at
 * fault, before anything is written.
 */
class CsvImporterTests {

	private static final LocalDate JAN_1 = LocalDate.of(2024, 1, 1);

	private static final LocalDate JAN_2 = LocalDate.of(2024, 1, 2);

	@TempDir
	Path dir;

	@Test
	void rowsOfADayThatComesBackAfterAnotherDayAreAllWrittenToThatDayInFileOrder() throws IOException {
		Path csv = csv("date,x,label\n2024-01-01,1,0\n2024-01-02,2,1\n2024-01-01,3,1\n");
		Path out = this.dir.resolve("out");

		CsvImporter.Imported imported = CsvImporter.importCsv(csv, out, "date", null, 1);

		assertThat(imported.days()).isEqualTo(2);
		assertThat(imported.rows()).isEqualTo(3);
		assertThat(read(out, JAN_1, JAN_2).rows()).isEqualTo(3);
		assertThat(read(out, JAN_1, JAN_1).numeric("x").values()).containsExactly(1, 3);
		assertThat(read(out, JAN_2, JAN_2).numeric("x").values()).containsExactly(2);
	}

	@Test
	void aHeaderNameGivenTwiceIsRefusedNamingBothPositions() throws IOException {
		Path csv = csv("x,label,x\n1,0,2\n");

		assertThatThrownBy(() -> CsvImporter.importCsv(csv, this.dir.resolve("out"), null, JAN_1, 1))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage(csv + ": header column 3 'x' has the name of column 1");
		assertThat(this.dir.resolve("out")).doesNotExist();
	}

	@Test
	void anEmptyHeaderNameIsRefusedNamingItsPosition() throws IOException {
		Path csv = csv("x,,label\n1,2,0\n");

		assertThatThrownBy(() -> CsvImporter.importCsv(csv, this.dir.resolve("out"), null, JAN_1, 1))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage(csv + ": header column 2 has no name");
	}

	@Test
	void aDateThatIsNotYyyyMmDdIsRefusedNamingLineAndColumn() throws IOException {
		Path csv = csv("x,date,label\n1,2024-01-01,0\n2,2024-1-1,1\n");

		assertThatThrownBy(() -> CsvImporter.importCsv(csv, this.dir.resolve("out"), "date", null, 1))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage(csv + " line 3, column 2 'date': '2024-1-1' is not a date (YYYY-MM-DD)");
		assertThat(this.dir.resolve("out")).doesNotExist();
	}

	@Test
	void aDateFollowedByATimeIsTheDayOfThatTime() throws IOException {
		Path csv = csv("date,x\n2024-01-01T23:59:00Z,1\n2024-01-02 00:00,2\n");
		Path out = this.dir.resolve("out");

		CsvImporter.importCsv(csv, out, "date", null, 1);

		assertThat(read(out, JAN_1, JAN_1).numeric("x").values()).containsExactly(1);
		assertThat(read(out, JAN_2, JAN_2).numeric("x").values()).containsExactly(2);
	}

	@Test
	void bytesThatAreNotUtf8AreRefusedNamingTheLine() throws IOException {
		Path csv = this.dir.resolve("latin1.csv");
		Files.write(csv, "x,city\n1,Berlin\n2,K\u00f6ln\n".getBytes(StandardCharsets.ISO_8859_1));

		assertThatThrownBy(() -> CsvImporter.importCsv(csv, this.dir.resolve("out"), null, JAN_1, 1))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage(csv + " line 3: not UTF-8 text");
	}

	@Test
	void zeroOrNegativeRowsPerDayIsRefused() throws IOException {
		Path csv = csv("x\n1\n");

		assertThatThrownBy(() -> CsvImporter.importCsv(csv, this.dir.resolve("out"), null, JAN_1, 0))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("rows per day must be at least 1, got 0");
		assertThatThrownBy(() -> CsvImporter.importCsv(csv, this.dir.resolve("out"), null, JAN_1, -3))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("rows per day must be at least 1, got -3");
	}

	@Test
	void aDayTheOutputDirectoryAlreadyHoldsIsRefusedAndNothingIsWritten() throws IOException {
		Path out = this.dir.resolve("out");
		CsvImporter.importCsv(csv("date,x\n2024-01-02,1\n"), out, "date", null, 1);
		Path existing = out.resolve("dt=2024-01-02").resolve("part-0.parquet");
		byte[] before = Files.readAllBytes(existing);

		Path csv = csv("date,x\n2024-01-01,7\n2024-01-02,8\n");
		assertThatThrownBy(() -> CsvImporter.importCsv(csv, out, "date", null, 1))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage(out + " already holds day 2024-01-02 (dt=2024-01-02): import into a new directory, "
					+ "or remove the days first");
		assertThat(out.resolve("dt=2024-01-01")).doesNotExist();
		assertThat(Files.readAllBytes(existing)).isEqualTo(before);
	}

	@Test
	void aByteOrderMarkAndWindowsLineEndsAreNotPartOfTheNamesOrValues() throws IOException {
		Path csv = this.dir.resolve("excel.csv");
		Files.writeString(csv, "\ufeffdate,city\r\n2024-01-01,Lyon\r\n");
		Path out = this.dir.resolve("out");

		CsvImporter.importCsv(csv, out, "date", null, 1);

		Table t = new ParquetTableReader(out).read(new PartitionedDirectory(out).resolve(JAN_1, JAN_1),
				List.of(ColumnRequest.string("city")));
		assertThat(t.strings("city").values()).containsExactly("Lyon");
	}

	private Path csv(String text) throws IOException {
		Path file = Files.createTempFile(this.dir, "in", ".csv");
		return Files.writeString(file, text);
	}

	private static Table read(Path out, LocalDate from, LocalDate to) {
		return new ParquetTableReader(out).read(new PartitionedDirectory(out).resolve(from, to),
				List.of(ColumnRequest.numeric("x")));
	}

}

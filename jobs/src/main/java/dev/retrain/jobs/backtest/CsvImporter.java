package dev.retrain.jobs.backtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import dev.retrain.models.dataset.ParquetTableWriter;

/**
 * Turns a CSV (header row, comma-separated, no quoted commas) into date-partitioned
 * Parquet: {@code dt=YYYY-MM-DD/part-0.parquet}. Rows keep their order. With a date
 * column, rows go to their date; without one, {@code rowsPerDay} consecutive rows make
 * one synthetic day from {@code start}. A column whose every value parses as a number is
 * written as double, any other as text.
 */
public final class CsvImporter {

	private CsvImporter() {
	}

	/** Returns the number of day partitions written. */
	public static int importCsv(Path csv, Path out, String dateColumn, LocalDate start, int rowsPerDay)
			throws IOException {
		return importCsv(csv, out, dateColumn, start, rowsPerDay, (done, total) -> {
		});
	}

	/** Told of the rows written to partitions so far, of all rows. */
	@FunctionalInterface
	public interface RowsWritten {

		void written(long done, long total);

	}

	/** The same, telling {@code progress} after each partition written. */
	public static int importCsv(Path csv, Path out, String dateColumn, LocalDate start, int rowsPerDay,
			RowsWritten progress) throws IOException {
		List<String[]> rows = new ArrayList<>();
		String[] header;
		try (BufferedReader in = Files.newBufferedReader(csv)) {
			String first = in.readLine();
			if (first == null) {
				throw new IllegalArgumentException(csv + " is empty");
			}
			header = first.split(",", -1);
			String line;
			int lineNo = 1;
			while ((line = in.readLine()) != null) {
				lineNo++;
				if (line.isBlank()) {
					continue;
				}
				String[] cells = line.split(",", -1);
				if (cells.length != header.length) {
					throw new IllegalArgumentException(
							csv + " line " + lineNo + ": " + cells.length + " fields, header has " + header.length);
				}
				rows.add(cells);
			}
		}
		int dateIndex = -1;
		if (dateColumn != null) {
			for (int c = 0; c < header.length; c++) {
				if (header[c].equals(dateColumn)) {
					dateIndex = c;
				}
			}
			if (dateIndex < 0) {
				throw new IllegalArgumentException(csv + ": no column '" + dateColumn + "'");
			}
		}
		boolean[] numeric = new boolean[header.length];
		for (int c = 0; c < header.length; c++) {
			numeric[c] = c != dateIndex;
			for (String[] r : rows) {
				if (numeric[c] && !r[c].isEmpty()) {
					try {
						Double.parseDouble(r[c]);
					}
					catch (NumberFormatException ex) {
						numeric[c] = false;
					}
				}
			}
		}
		int days = 0;
		int i = 0;
		while (i < rows.size()) {
			LocalDate day = (dateIndex >= 0) ? LocalDate.parse(rows.get(i)[dateIndex].substring(0, 10))
					: start.plusDays(i / rowsPerDay);
			int j = i;
			while (j < rows.size()
					&& ((dateIndex >= 0) ? LocalDate.parse(rows.get(j)[dateIndex].substring(0, 10)).equals(day)
							: j / rowsPerDay == i / rowsPerDay)) {
				j++;
			}
			write(header, numeric, dateIndex, rows.subList(i, j), out.resolve("dt=" + day).resolve("part-0.parquet"));
			days++;
			i = j;
			progress.written(i, rows.size());
		}
		return days;
	}

	private static void write(String[] header, boolean[] numeric, int dateIndex, List<String[]> rows, Path file)
			throws IOException {
		ParquetTableWriter w = new ParquetTableWriter();
		for (int c = 0; c < header.length; c++) {
			if (c == dateIndex) {
				continue;
			}
			if (numeric[c]) {
				double[] v = new double[rows.size()];
				boolean[] nulls = new boolean[rows.size()];
				for (int r = 0; r < rows.size(); r++) {
					String cell = rows.get(r)[c];
					nulls[r] = cell.isEmpty();
					v[r] = cell.isEmpty() ? 0 : Double.parseDouble(cell);
				}
				w.doubles(header[c], v, nulls);
			}
			else {
				String[] v = new String[rows.size()];
				for (int r = 0; r < rows.size(); r++) {
					v[r] = rows.get(r)[c].isEmpty() ? null : rows.get(r)[c];
				}
				w.strings(header[c], v);
			}
		}
		w.write(file);
	}

}

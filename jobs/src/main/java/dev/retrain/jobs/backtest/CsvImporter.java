package dev.retrain.jobs.backtest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.retrain.models.dataset.ParquetTableWriter;

/**
 * Turns a CSV (UTF-8, header row, comma-separated, no quoted commas) into
 * date-partitioned Parquet: {@code dt=YYYY-MM-DD/part-0.parquet}, one file per day
 * holding all of that day's rows in file order, wherever they are in the file. With a
 * date column, rows go to their date ({@code YYYY-MM-DD}, optionally followed by
 * {@code T} or a space and a time); without one, {@code rowsPerDay} consecutive rows make
 * one synthetic day from {@code start}. A column whose every value parses as a number is
 * written as double, any other as text.
 * <p>
 * The whole file is checked before anything is written: a header name that is empty or
 * given twice, a line with the wrong number of fields, a date that is not one, bytes that
 * are not UTF-8, or a day that the output directory already holds (writing it would
 * replace rows) is an {@link IllegalArgumentException} naming the file, line and column.
 * Each part is written under a temporary name and then renamed, so that readers never see
 * a half-written file.
 */
public final class CsvImporter {

	private static final int SHOWN_CHARS = 40;

	private CsvImporter() {
	}

	/** What an import wrote: every row of the file, in this many day partitions. */
	public record Imported(int days, long rows) {
	}

	/** Imports without telling progress. */
	public static Imported importCsv(Path csv, Path out, String dateColumn, LocalDate start, int rowsPerDay)
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
	public static Imported importCsv(Path csv, Path out, String dateColumn, LocalDate start, int rowsPerDay,
			RowsWritten progress) throws IOException {
		if (dateColumn == null && rowsPerDay < 1) {
			throw new IllegalArgumentException("rows per day must be at least 1, got " + rowsPerDay);
		}
		if (Files.isDirectory(csv)) {
			throw new IllegalArgumentException(csv + " is a directory, not a file");
		}
		if (Files.exists(out) && !Files.isDirectory(out)) {
			throw new IllegalArgumentException(out + " is not a directory");
		}
		String[] header;
		int dateIndex = -1;
		// the rows of each day, days in order, rows in file order
		Map<LocalDate, List<String[]>> days = new TreeMap<>();
		long count = 0;
		try (Lines in = new Lines(csv, Files.newInputStream(csv))) {
			header = header(csv, in);
			if (dateColumn != null) {
				dateIndex = Arrays.asList(header).indexOf(dateColumn);
				if (dateIndex < 0) {
					throw new IllegalArgumentException(csv + ": no column '" + shown(dateColumn) + "'");
				}
			}
			String line;
			while ((line = in.next()) != null) {
				if (line.isBlank()) {
					continue;
				}
				String[] cells = line.split(",", -1);
				if (cells.length != header.length) {
					throw new IllegalArgumentException(csv + " line " + in.number() + ": " + cells.length
							+ " fields, header has " + header.length);
				}
				LocalDate day = (dateIndex >= 0) ? day(csv, in.number(), dateIndex, header, cells[dateIndex])
						: start.plusDays(count / rowsPerDay);
				days.computeIfAbsent(day, d -> new ArrayList<>()).add(cells);
				count++;
			}
		}
		if (count == 0) {
			throw new IllegalArgumentException(csv + " has a header but no rows");
		}
		for (LocalDate day : days.keySet()) {
			if (Files.exists(partition(out, day))) {
				throw new IllegalArgumentException(out + " already holds day " + day + " (dt=" + day
						+ "): import into a new directory, or remove the days first");
			}
		}
		boolean[] numeric = numericColumns(header, dateIndex, days);
		long done = 0;
		for (Map.Entry<LocalDate, List<String[]>> day : days.entrySet()) {
			Path dir = partition(out, day.getKey());
			Path temp = dir.resolve(".part-0.parquet.partial");
			write(header, numeric, dateIndex, day.getValue(), temp);
			Files.move(temp, dir.resolve("part-0.parquet"), StandardCopyOption.ATOMIC_MOVE);
			done += day.getValue().size();
			progress.written(done, count);
		}
		return new Imported(days.size(), count);
	}

	/**
	 * The column names of a CSV's header, each checked to be there once; an
	 * {@link IllegalArgumentException} says what is wrong with it.
	 */
	public static List<String> header(Path csv) throws IOException {
		if (Files.isDirectory(csv)) {
			throw new IllegalArgumentException(csv + " is a directory, not a file");
		}
		try (Lines in = new Lines(csv, Files.newInputStream(csv))) {
			return List.of(header(csv, in));
		}
	}

	private static String[] header(Path csv, Lines in) throws IOException {
		String first = in.next();
		if (first == null) {
			throw new IllegalArgumentException(csv + " is empty");
		}
		if (first.startsWith("\ufeff")) {
			first = first.substring(1);
		}
		String[] header = first.split(",", -1);
		checkHeader(csv, header);
		return header;
	}

	private static Path partition(Path out, LocalDate day) {
		return out.resolve("dt=" + day);
	}

	/** Every column has a name of its own. */
	private static void checkHeader(Path csv, String[] header) {
		Map<String, Integer> seen = new HashMap<>();
		for (int c = 0; c < header.length; c++) {
			if (header[c].isBlank()) {
				throw new IllegalArgumentException(csv + ": header column " + (c + 1) + " has no name");
			}
			Integer before = seen.putIfAbsent(header[c], c);
			if (before != null) {
				throw new IllegalArgumentException(csv + ": header column " + (c + 1) + " '" + shown(header[c])
						+ "' has the name of column " + (before + 1));
			}
		}
	}

	/** The day of a date cell: YYYY-MM-DD, optionally followed by a time. */
	private static LocalDate day(Path csv, long line, int column, String[] header, String cell) {
		boolean timeAfter = cell.length() > 10 && (cell.charAt(10) == 'T' || cell.charAt(10) == ' ');
		if (cell.length() == 10 || timeAfter) {
			try {
				return LocalDate.parse(cell.substring(0, 10));
			}
			catch (DateTimeParseException ex) {
				// said below
			}
		}
		throw new IllegalArgumentException(csv + " line " + line + ", column " + (column + 1) + " '"
				+ shown(header[column]) + "': '" + shown(cell) + "' is not a date (YYYY-MM-DD)");
	}

	private static boolean[] numericColumns(String[] header, int dateIndex, Map<LocalDate, List<String[]>> days) {
		boolean[] numeric = new boolean[header.length];
		for (int c = 0; c < header.length; c++) {
			numeric[c] = c != dateIndex;
			for (List<String[]> rows : days.values()) {
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
		}
		return numeric;
	}

	/**
	 * A value of the file as a message shows it: on one line, and cut after
	 * {@value #SHOWN_CHARS} characters.
	 */
	static String shown(String value) {
		String oneLine = value.codePoints()
			.map(c -> Character.isISOControl(c) ? '?' : c)
			.collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
			.toString();
		return (oneLine.length() > SHOWN_CHARS) ? oneLine.substring(0, SHOWN_CHARS) + "..." : oneLine;
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

	/**
	 * The lines of a file, each decoded as UTF-8 on its own, so that bytes that are not
	 * UTF-8 are reported with their line; {@code \n} or {@code \r\n} ends a line.
	 */
	private static final class Lines implements AutoCloseable {

		private final Path file;

		private final InputStream in;

		private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();

		private final byte[] chunk = new byte[64 * 1024];

		private int position;

		private int limit;

		private byte[] line = new byte[256];

		private long number;

		Lines(Path file, InputStream in) {
			this.file = file;
			this.in = in;
		}

		/** The next line, or null at the end of the file. */
		String next() throws IOException {
			int n = 0;
			boolean ended = false;
			while (!ended) {
				if (this.position == this.limit) {
					this.limit = this.in.read(this.chunk);
					this.position = 0;
					if (this.limit <= 0) {
						this.limit = 0;
						if (n == 0) {
							return null;
						}
						break;
					}
				}
				byte b = this.chunk[this.position++];
				if (b == '\n') {
					ended = true;
				}
				else {
					if (n == this.line.length) {
						this.line = Arrays.copyOf(this.line, n * 2);
					}
					this.line[n++] = b;
				}
			}
			this.number++;
			if (n > 0 && this.line[n - 1] == '\r') {
				n--;
			}
			try {
				return this.utf8.decode(ByteBuffer.wrap(this.line, 0, n)).toString();
			}
			catch (CharacterCodingException ex) {
				throw new IllegalArgumentException(this.file + " line " + this.number + ": not UTF-8 text");
			}
		}

		/** The number of the line last returned, from 1. */
		long number() {
			return this.number;
		}

		@Override
		public void close() throws IOException {
			this.in.close();
		}

	}

}

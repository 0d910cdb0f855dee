package dev.retrain.models.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Columns read from one or more files, with the day each row belongs to and the file each
 * row came from (so that a validation problem can name the file).
 */
public final class Table {

	/**
	 * The day of a row whose day is unknown (a file outside date partitions). Not -1: a
	 * day before 1970 has a negative epoch day, and 1969-12-31 is -1.
	 */
	public static final int NO_DAY = Integer.MIN_VALUE;

	private final Map<String, Column> columns;

	private final int rows;

	private final int[] epochDays;

	private final List<Segment> segments;

	public Table(Map<String, Column> columns, int rows, int[] epochDays, List<Segment> segments) {
		this.columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
		this.rows = rows;
		this.epochDays = epochDays;
		this.segments = List.copyOf(segments);
		for (Column c : columns.values()) {
			if (c.size() != rows) {
				throw new IllegalArgumentException("column " + c.name() + " has " + c.size() + " rows, table " + rows);
			}
		}
	}

	/** A contiguous run of rows that came from one file. */
	public record Segment(String file, int start, int end) {
	}

	public int rows() {
		return this.rows;
	}

	public Set<String> columnNames() {
		return this.columns.keySet();
	}

	public boolean has(String name) {
		return this.columns.containsKey(name);
	}

	public Column column(String name) {
		Column c = this.columns.get(name);
		if (c == null) {
			throw new IllegalArgumentException("no column '" + name + "' in table " + this.columns.keySet());
		}
		return c;
	}

	public NumericColumn numeric(String name) {
		return (NumericColumn) column(name);
	}

	public StringColumn strings(String name) {
		return (StringColumn) column(name);
	}

	/**
	 * Day of each row as {@code LocalDate.toEpochDay()}, or {@link #NO_DAY} where
	 * unknown.
	 */
	public int[] epochDays() {
		return this.epochDays;
	}

	public List<Segment> segments() {
		return this.segments;
	}

	/** The file a row came from. */
	public String fileOf(int row) {
		for (Segment s : this.segments) {
			if (row >= s.start() && row < s.end()) {
				return s.file();
			}
		}
		return "?";
	}

	/**
	 * A new table with the given rows, in that order. Segments are kept per file where
	 * rows stay contiguous.
	 */
	public Table select(int[] rowIndex) {
		Map<String, Column> selected = new LinkedHashMap<>();
		this.columns.forEach((n, c) -> selected.put(n, c.select(rowIndex)));
		int[] days = new int[rowIndex.length];
		List<Segment> segs = new ArrayList<>();
		String current = null;
		int start = 0;
		for (int i = 0; i < rowIndex.length; i++) {
			days[i] = this.epochDays[rowIndex[i]];
			String f = fileOf(rowIndex[i]);
			if (!f.equals(current)) {
				if (current != null) {
					segs.add(new Segment(current, start, i));
				}
				current = f;
				start = i;
			}
		}
		if (current != null) {
			segs.add(new Segment(current, start, rowIndex.length));
		}
		return new Table(selected, rowIndex.length, days, segs);
	}

	/**
	 * The rows of the tables one after another, with the columns every table has (as a
	 * read of several files keeps only the columns all of them have); segments are
	 * shifted, and adjacent segments of one file are joined. An empty list gives an empty
	 * table without columns.
	 */
	public static Table concat(List<Table> tables) {
		if (tables.isEmpty()) {
			return new Table(Map.of(), 0, new int[0], List.of());
		}
		if (tables.size() == 1) {
			return tables.get(0);
		}
		int rows = 0;
		List<String> names = new ArrayList<>(tables.get(0).columnNames());
		for (Table t : tables) {
			names.retainAll(t.columnNames());
			rows += t.rows();
		}
		Map<String, Column> columns = new LinkedHashMap<>();
		for (String name : names) {
			if (tables.get(0).column(name) instanceof NumericColumn) {
				double[] values = new double[rows];
				boolean[] nulls = null;
				int at = 0;
				for (Table t : tables) {
					NumericColumn c = t.numeric(name);
					System.arraycopy(c.values(), 0, values, at, c.size());
					if (c.nulls() != null) {
						if (nulls == null) {
							nulls = new boolean[rows];
						}
						System.arraycopy(c.nulls(), 0, nulls, at, c.size());
					}
					at += c.size();
				}
				columns.put(name, new NumericColumn(name, values, nulls));
			}
			else {
				String[] values = new String[rows];
				int at = 0;
				for (Table t : tables) {
					String[] v = t.strings(name).values();
					System.arraycopy(v, 0, values, at, v.length);
					at += v.length;
				}
				columns.put(name, new StringColumn(name, values));
			}
		}
		int[] days = new int[rows];
		List<Segment> segments = new ArrayList<>();
		int at = 0;
		for (Table t : tables) {
			System.arraycopy(t.epochDays(), 0, days, at, t.rows());
			for (Segment seg : t.segments()) {
				Segment shifted = new Segment(seg.file(), seg.start() + at, seg.end() + at);
				Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
				if (last != null && last.file().equals(shifted.file()) && last.end() == shifted.start()) {
					segments.set(segments.size() - 1, new Segment(last.file(), last.start(), shifted.end()));
				}
				else {
					segments.add(shifted);
				}
			}
			at += t.rows();
		}
		return new Table(columns, rows, days, segments);
	}

}

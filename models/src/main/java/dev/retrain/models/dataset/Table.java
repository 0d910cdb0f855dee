package dev.retrain.models.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Columns read from one or more files, with the day each row belongs to and the file each row came
 * from (so that a validation problem can name the file).
 */
public final class Table {

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

	/** Day of each row as {@code LocalDate.toEpochDay()}, or -1 where unknown. */
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

	/** A new table with the given rows, in that order. Segments are kept per file where rows stay contiguous. */
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

}

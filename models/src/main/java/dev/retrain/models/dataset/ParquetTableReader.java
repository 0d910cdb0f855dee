package dev.retrain.models.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Reads flat Parquet files column by column into primitive arrays, through parquet-java's column
 * readers (several times faster than the row-at-a-time Group API). Only the requested columns are
 * decoded. Every problem (unreadable file, missing column, wrong type) names the file and column.
 */
public final class ParquetTableReader {

	private final Path root;

	private final int threads;

	/**
	 * @param root files are named relative to this directory in messages and segments
	 */
	public ParquetTableReader(Path root) {
		this(root, 1);
	}

	/**
	 * @param threads files decoded at once by {@link #read(List, List)} (each file by one thread)
	 */
	public ParquetTableReader(Path root, int threads) {
		this.root = root;
		this.threads = Math.max(1, threads);
	}

	public Table read(List<DataFile> files, List<ColumnRequest> wanted) {
		List<ColumnRequest> requests = distinct(wanted);
		List<Map<String, Column>> parts = new ArrayList<>();
		List<Table.Segment> segments = new ArrayList<>();
		List<int[]> dayParts = new ArrayList<>();
		int total = 0;
		List<Map<String, Column>> decoded = decode(files, requests);
		for (int f = 0; f < files.size(); f++) {
			DataFile file = files.get(f);
			Map<String, Column> part = decoded.get(f);
			int n = part.isEmpty() ? (int) file.rows() : part.values().iterator().next().size();
			parts.add(part);
			segments.add(new Table.Segment(file.path(), total, total + n));
			int[] days = new int[n];
			Arrays.fill(days, (file.day() != null) ? (int) file.day().toEpochDay() : -1);
			dayParts.add(days);
			total += n;
		}
		Map<String, Column> columns = new LinkedHashMap<>();
		for (ColumnRequest req : requests) {
			if (parts.stream().allMatch(p -> p.containsKey(req.name()))) {
				columns.put(req.name(), concat(req, parts, total));
			}
		}
		int[] days = new int[total];
		int at = 0;
		for (int[] d : dayParts) {
			System.arraycopy(d, 0, days, at, d.length);
			at += d.length;
		}
		return new Table(columns, total, days, segments);
	}

	/** Decodes the files, several at once when {@code threads} > 1; the first failure (in file order) is thrown. */
	private List<Map<String, Column>> decode(List<DataFile> files, List<ColumnRequest> requests) {
		if (this.threads == 1 || files.size() < 2) {
			return files.stream().map(f -> readFile(f, requests)).toList();
		}
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors
			.newFixedThreadPool(Math.min(this.threads, files.size()));
		try {
			List<java.util.concurrent.Future<Map<String, Column>>> futures = new ArrayList<>();
			for (DataFile f : files) {
				futures.add(pool.submit(() -> readFile(f, requests)));
			}
			List<Map<String, Column>> parts = new ArrayList<>();
			for (var future : futures) {
				try {
					parts.add(future.get());
				}
				catch (java.util.concurrent.ExecutionException ex) {
					if (ex.getCause() instanceof RuntimeException re) {
						throw re;
					}
					throw new IllegalStateException(ex.getCause());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException("interrupted while reading Parquet files", ex);
				}
			}
			return parts;
		}
		finally {
			pool.shutdownNow();
		}
	}

	/** One row group of one file, for reading a window a group at a time. */
	public record RowGroup(DataFile file, int index, long rows) {
	}

	/** The row groups of the files, in order (reads only the footers). */
	public List<RowGroup> rowGroups(List<DataFile> files) {
		List<RowGroup> groups = new ArrayList<>();
		for (DataFile file : files) {
			try (ParquetFileReader reader = ParquetFiles.openOrFail(this.root.resolve(file.path()), file.path())) {
				var blocks = reader.getRowGroups();
				for (int i = 0; i < blocks.size(); i++) {
					groups.add(new RowGroup(file, i, blocks.get(i).getRowCount()));
				}
			}
			catch (IOException ex) {
				throw new DataValidationFailed(file.path(), null, "cannot read: " + ParquetFiles.rootMessage(ex), ex);
			}
		}
		return groups;
	}

	/** One request per column name; a column asked for as both kinds is a programming error. */
	private static List<ColumnRequest> distinct(List<ColumnRequest> wanted) {
		Map<String, ColumnRequest> byName = new LinkedHashMap<>();
		for (ColumnRequest req : wanted) {
			ColumnRequest seen = byName.get(req.name());
			if (seen != null && seen.kind() != req.kind()) {
				throw new IllegalArgumentException("column '" + req.name() + "' requested as " + seen.kind() + " and " + req.kind());
			}
			if (seen == null || (req.required() && !seen.required())) {
				byName.put(req.name(), req);
			}
		}
		return new ArrayList<>(byName.values());
	}

	private Map<String, Column> readFile(DataFile file, List<ColumnRequest> requests) {
		return withFile(file, requests, (reader, requested, present) -> readColumns(reader, requested, present, file));
	}

	/** What to do with an open, checked file whose requested schema is set to the present columns. */
	@FunctionalInterface
	private interface FileWork<T> {

		T apply(ParquetFileReader reader, MessageType requested, List<ColumnRequest> present) throws IOException;

	}

	/** Opens the file, checks the requested columns (every problem at once) and projects onto them. */
	private <T> T withFile(DataFile file, List<ColumnRequest> requests, FileWork<T> work) {
		Path path = this.root.resolve(file.path());
		try (ParquetFileReader reader = ParquetFiles.openOrFail(path, file.path())) {
			MessageType schema = reader.getFooter().getFileMetaData().getSchema();
			List<DataIssue> issues = new ArrayList<>();
			List<ColumnRequest> present = new ArrayList<>();
			for (ColumnRequest req : requests) {
				if (!schema.containsField(req.name())) {
					if (req.required()) {
						issues.add(new DataIssue(file.path(), req.name(), "missing column (file has " + fieldNames(schema) + ")"));
					}
					continue;
				}
				Type type = schema.getType(req.name());
				if (!type.isPrimitive() || type.isRepetition(Type.Repetition.REPEATED)) {
					issues.add(new DataIssue(file.path(), req.name(), "is not a flat primitive column: " + type));
					continue;
				}
				String problem = typeProblem(req, type.asPrimitiveType());
				if (problem != null) {
					issues.add(new DataIssue(file.path(), req.name(), problem));
					continue;
				}
				present.add(req);
			}
			if (!issues.isEmpty()) {
				throw new DataValidationFailed(issues);
			}
			Types.MessageTypeBuilder projection = Types.buildMessage();
			for (ColumnRequest req : present) {
				projection.addField(schema.getType(req.name()));
			}
			MessageType requested = projection.named(schema.getName());
			reader.setRequestedSchema(requested);
			return work.apply(reader, requested, present);
		}
		catch (IOException ex) {
			throw new DataValidationFailed(file.path(), null, "cannot read: " + ParquetFiles.rootMessage(ex), ex);
		}
	}

	/**
	 * Streams one row group as tables of at most {@code sliceRows} rows, decoding all columns in step: what is
	 * held at once is the group's column chunks as stored (compressed) and one slice decoded, however many
	 * rows the group has. Exceptions thrown by {@code consumer} pass through unchanged.
	 */
	public void read(RowGroup group, List<ColumnRequest> wanted, int sliceRows, Consumer<Table> consumer) {
		DataFile file = group.file();
		withFile(file, distinct(wanted), (reader, requested, present) -> {
			readGroup(reader, requested, present, file, group.index(), sliceRows, consumer);
			return null;
		});
	}

	/**
	 * Streams every row group of one file, in order, as tables of at most {@code sliceRows} rows (one open of the
	 * file; see {@link #read(RowGroup, List, int, Consumer)}).
	 */
	public void read(DataFile file, List<ColumnRequest> wanted, int sliceRows, Consumer<Table> consumer) {
		withFile(file, distinct(wanted), (reader, requested, present) -> {
			int groups = reader.getRowGroups().size();
			for (int g = 0; g < groups; g++) {
				readGroup(reader, requested, present, file, g, sliceRows, consumer);
			}
			return null;
		});
	}

	private void readGroup(ParquetFileReader reader, MessageType requested, List<ColumnRequest> present, DataFile file,
			int groupIndex, int sliceRows, Consumer<Table> consumer) throws IOException {
		String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
		PageReadStore pages = reader.readRowGroup(groupIndex);
		ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages, new GroupRecordConverter(requested).getRootConverter(),
				requested, createdBy);
		List<ColumnDescriptor> descs = new ArrayList<>();
		List<ColumnReader> readers = new ArrayList<>();
		for (ColumnRequest req : present) {
			ColumnDescriptor desc = requested.getColumnDescription(new String[] { req.name() });
			descs.add(desc);
			readers.add(store.getColumnReader(desc));
		}
		int total = (int) pages.getRowCount();
		int day = (file.day() != null) ? (int) file.day().toEpochDay() : -1;
		for (int offset = 0; offset < total;) {
			int n = Math.min(sliceRows, total - offset);
			Map<String, Column> columns = new LinkedHashMap<>();
			try {
				for (int c = 0; c < present.size(); c++) {
					ColumnRequest req = present.get(c);
					if (req.kind() == ColumnRequest.Kind.NUMERIC) {
						double[] values = new double[n];
						boolean[] nulls = readNumeric(readers.get(c), descs.get(c), values, 0, n, null, n);
						columns.put(req.name(), new NumericColumn(req.name(), values, nulls));
					}
					else {
						String[] values = new String[n];
						readStrings(readers.get(c), descs.get(c), values, 0, n);
						columns.put(req.name(), new StringColumn(req.name(), values));
					}
				}
			}
			catch (RuntimeException ex) {
				throw new DataValidationFailed(file.path(), null,
						"corrupt data in row group " + groupIndex + " after row " + offset + ": " + ParquetFiles.rootMessage(ex), ex);
			}
			int[] days = new int[n];
			Arrays.fill(days, day);
			consumer.accept(new Table(columns, n, days, List.of(new Table.Segment(file.path(), 0, n))));
			offset += n;
		}
	}

	private Map<String, Column> readColumns(ParquetFileReader reader, MessageType requested, List<ColumnRequest> present,
			DataFile file) throws IOException {
		long rowCount = reader.getRecordCount();
		if (rowCount > Integer.MAX_VALUE) {
			throw new DataValidationFailed(file.path(), null, "more than 2^31 rows in one file");
		}
		int n = (int) rowCount;
		Map<String, Object> arrays = new LinkedHashMap<>();
		Map<String, boolean[]> nulls = new LinkedHashMap<>();
		for (ColumnRequest req : present) {
			arrays.put(req.name(), (req.kind() == ColumnRequest.Kind.NUMERIC) ? new double[n] : new String[n]);
		}
		String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
		int offset = 0;
		try {
			PageReadStore pages;
			while ((pages = reader.readNextRowGroup()) != null) {
				ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages,
						new GroupRecordConverter(requested).getRootConverter(), requested, createdBy);
				int groupRows = (int) pages.getRowCount();
				for (ColumnRequest req : present) {
					ColumnDescriptor desc = requested.getColumnDescription(new String[] { req.name() });
					ColumnReader cr = store.getColumnReader(desc);
					if (req.kind() == ColumnRequest.Kind.NUMERIC) {
						boolean[] colNulls = readNumeric(cr, desc, (double[]) arrays.get(req.name()), offset, groupRows,
								nulls.get(req.name()), n);
						if (colNulls != null) {
							nulls.put(req.name(), colNulls);
						}
					}
					else {
						readStrings(cr, desc, (String[]) arrays.get(req.name()), offset, groupRows);
					}
				}
				offset += groupRows;
			}
		}
		catch (RuntimeException ex) {
			throw new DataValidationFailed(file.path(), null,
					"corrupt data after row " + offset + ": " + ParquetFiles.rootMessage(ex), ex);
		}
		if (offset != n) {
			throw new DataValidationFailed(file.path(), null, "footer says " + n + " rows but " + offset + " were read");
		}
		Map<String, Column> result = new LinkedHashMap<>();
		for (ColumnRequest req : present) {
			Object values = arrays.get(req.name());
			result.put(req.name(), (values instanceof double[] d) ? new NumericColumn(req.name(), d, nulls.get(req.name()))
					: new StringColumn(req.name(), (String[]) values));
		}
		return result;
	}

	private static boolean[] readNumeric(ColumnReader cr, ColumnDescriptor desc, double[] out, int offset, int rows,
			boolean[] nulls, int total) {
		int maxDef = desc.getMaxDefinitionLevel();
		PrimitiveTypeName type = desc.getPrimitiveType().getPrimitiveTypeName();
		for (int i = 0; i < rows; i++) {
			if (cr.getCurrentDefinitionLevel() == maxDef) {
				out[offset + i] = switch (type) {
					case DOUBLE -> cr.getDouble();
					case FLOAT -> cr.getFloat();
					case INT32 -> cr.getInteger();
					case INT64 -> cr.getLong();
					case BOOLEAN -> cr.getBoolean() ? 1.0 : 0.0;
					default -> throw new IllegalStateException("unexpected type " + type);
				};
			}
			else {
				if (nulls == null) {
					nulls = new boolean[total];
				}
				nulls[offset + i] = true;
				out[offset + i] = Double.NaN;
			}
			cr.consume();
		}
		return nulls;
	}

	private static void readStrings(ColumnReader cr, ColumnDescriptor desc, String[] out, int offset, int rows) {
		int maxDef = desc.getMaxDefinitionLevel();
		PrimitiveTypeName type = desc.getPrimitiveType().getPrimitiveTypeName();
		for (int i = 0; i < rows; i++) {
			if (cr.getCurrentDefinitionLevel() == maxDef) {
				out[offset + i] = switch (type) {
					case BINARY, FIXED_LEN_BYTE_ARRAY -> cr.getBinary().toStringUsingUTF8();
					case INT32 -> Integer.toString(cr.getInteger());
					case INT64 -> Long.toString(cr.getLong());
					case BOOLEAN -> Boolean.toString(cr.getBoolean());
					case DOUBLE -> numberText(cr.getDouble());
					case FLOAT -> numberText(cr.getFloat());
					default -> throw new IllegalStateException("unexpected type " + type);
				};
			}
			cr.consume();
		}
	}

	/** Whole numbers without a trailing ".0", so that a label 1.0 and a label 1 are the same class. */
	private static String numberText(double v) {
		return (v == Math.rint(v) && Math.abs(v) < 1e15) ? Long.toString((long) v) : Double.toString(v);
	}

	private static String typeProblem(ColumnRequest req, PrimitiveType type) {
		PrimitiveTypeName name = type.getPrimitiveTypeName();
		if (name == PrimitiveTypeName.INT96) {
			return "has type INT96 (legacy timestamp), which cannot be used as a feature";
		}
		if (req.kind() == ColumnRequest.Kind.NUMERIC
				&& (name == PrimitiveTypeName.BINARY || name == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY)) {
			return "has type " + name + " (text/bytes) but a numeric column is expected";
		}
		return null;
	}

	private static List<String> fieldNames(MessageType schema) {
		return schema.getFields().stream().map(Type::getName).toList();
	}

	private static Column concat(ColumnRequest req, List<Map<String, Column>> parts, int total) {
		if (req.kind() == ColumnRequest.Kind.NUMERIC) {
			double[] values = new double[total];
			boolean[] nulls = null;
			int at = 0;
			for (Map<String, Column> part : parts) {
				NumericColumn c = (NumericColumn) part.get(req.name());
				System.arraycopy(c.values(), 0, values, at, c.size());
				if (c.nulls() != null) {
					if (nulls == null) {
						nulls = new boolean[total];
					}
					System.arraycopy(c.nulls(), 0, nulls, at, c.size());
				}
				at += c.size();
			}
			return new NumericColumn(req.name(), values, nulls);
		}
		String[] values = new String[total];
		int at = 0;
		for (Map<String, Column> part : parts) {
			StringColumn c = (StringColumn) part.get(req.name());
			System.arraycopy(c.values(), 0, values, at, c.size());
			at += c.size();
		}
		return new StringColumn(req.name(), values);
	}

}

package dev.retrain.models.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

import dev.retrain.models.storage.Location;
import dev.retrain.models.storage.Storage;

/**
 * Reads flat Parquet files column by column into primitive arrays, through parquet-java's
 * column readers (several times faster than the row-at-a-time Group API). Only the
 * requested columns are decoded. Every problem (unreadable file, missing column, wrong
 * type) names the file and column.
 */
public final class ParquetTableReader {

	private final Location root;

	private final int threads;

	/**
	 * @param root files are named relative to this directory in messages and segments
	 */
	public ParquetTableReader(Path root) {
		this(Storage.local(root), 1);
	}

	/**
	 * @param root a local directory or a prefix in object storage
	 */
	public ParquetTableReader(Location root) {
		this(root, 1);
	}

	public ParquetTableReader(Path root, int threads) {
		this(Storage.local(root), threads);
	}

	/**
	 * @param threads files decoded at once by {@link #read(List, List)} (each file by one
	 * thread)
	 */
	public ParquetTableReader(Location root, int threads) {
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
			Arrays.fill(days, (file.day() != null) ? (int) file.day().toEpochDay() : Table.NO_DAY);
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

	/**
	 * Decodes the files, several at once when {@code threads} > 1; the first failure (in
	 * file order) is thrown.
	 */
	private List<Map<String, Column>> decode(List<DataFile> files, List<ColumnRequest> requests) {
		if (this.threads == 1 || files.size() < 2) {
			return files.stream().map(f -> readFile(f, requests)).toList();
		}
		ExecutorService pool = Executors.newFixedThreadPool(Math.min(this.threads, files.size()));
		try {
			List<Future<Map<String, Column>>> futures = new ArrayList<>();
			for (DataFile f : files) {
				futures.add(pool.submit(() -> readFile(f, requests)));
			}
			List<Map<String, Column>> parts = new ArrayList<>();
			for (var future : futures) {
				try {
					parts.add(future.get());
				}
				catch (ExecutionException ex) {
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
			try (ParquetFileReader reader = ParquetFiles.openOrFail(this.root.resolve(file.path()), file.path(),
					file.etag())) {
				var blocks = reader.getRowGroups();
				for (int i = 0; i < blocks.size(); i++) {
					groups.add(new RowGroup(file, i, blocks.get(i).getRowCount()));
				}
			}
			catch (IOException ex) {
				throw ParquetFiles.unreadable(file.path(), "cannot read (corrupt or truncated?): ", ex);
			}
		}
		return groups;
	}

	/**
	 * One request per column name; a column asked for as both kinds is a programming
	 * error.
	 */
	private static List<ColumnRequest> distinct(List<ColumnRequest> wanted) {
		Map<String, ColumnRequest> byName = new LinkedHashMap<>();
		for (ColumnRequest req : wanted) {
			ColumnRequest seen = byName.get(req.name());
			if (seen != null && seen.kind() != req.kind()) {
				throw new IllegalArgumentException(
						"column '" + req.name() + "' requested as " + seen.kind() + " and " + req.kind());
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

	/**
	 * What to do with an open, checked file whose requested schema is set to the present
	 * columns.
	 */
	@FunctionalInterface
	private interface FileWork<T> {

		T apply(ParquetFileReader reader, MessageType requested, List<ColumnRequest> present) throws IOException;

	}

	/**
	 * Opens the file, checks the requested columns (every problem at once) and projects
	 * onto them.
	 */
	private <T> T withFile(DataFile file, List<ColumnRequest> requests, FileWork<T> work) {
		Location path = this.root.resolve(file.path());
		try (ParquetFileReader reader = ParquetFiles.openOrFail(path, file.path(), file.etag())) {
			MessageType schema = reader.getFooter().getFileMetaData().getSchema();
			List<DataIssue> issues = new ArrayList<>();
			List<ColumnRequest> present = new ArrayList<>();
			for (ColumnRequest req : requests) {
				if (!schema.containsField(req.name())) {
					if (req.required()) {
						issues.add(new DataIssue(file.path(), req.name(),
								"missing column (file has " + fieldNames(schema) + ")"));
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
			throw ParquetFiles.unreadable(file.path(), "cannot read (corrupt or truncated?): ", ex);
		}
	}

	/**
	 * Streams one row group as tables of at most {@code sliceRows} rows, decoding all
	 * columns in step: what is held at once is the group's column chunks as stored
	 * (compressed) and one slice decoded, however many rows the group has. Exceptions
	 * thrown by {@code consumer} pass through unchanged.
	 */
	public void read(RowGroup group, List<ColumnRequest> wanted, int sliceRows, Consumer<Table> consumer) {
		DataFile file = group.file();
		withFile(file, distinct(wanted), (reader, requested, present) -> {
			readGroup(reader, requested, present, file, group.index(), sliceRows, consumer);
			return null;
		});
	}

	/**
	 * Streams every row group of one file, in order, as tables of at most
	 * {@code sliceRows} rows (one open of the file; see
	 * {@link #read(RowGroup, List, int, Consumer)}).
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
		RowGroupDecoder group = new RowGroupDecoder(reader.readRowGroup(groupIndex), requested, present, createdBy);
		int total = group.rows();
		int day = (file.day() != null) ? (int) file.day().toEpochDay() : Table.NO_DAY;
		for (int offset = 0; offset < total;) {
			int n = Math.min(sliceRows, total - offset);
			RowGroupDecoder.ColumnArrays slice = new RowGroupDecoder.ColumnArrays(present, n);
			try {
				group.next(slice, 0, n);
			}
			catch (RuntimeException ex) {
				throw ParquetFiles.unreadable(file.path(),
						"corrupt data in row group " + groupIndex + " after row " + offset + ": ", ex);
			}
			int[] days = new int[n];
			Arrays.fill(days, day);
			consumer.accept(new Table(slice.columns(), n, days, List.of(new Table.Segment(file.path(), 0, n))));
			offset += n;
		}
	}

	private Map<String, Column> readColumns(ParquetFileReader reader, MessageType requested,
			List<ColumnRequest> present, DataFile file) throws IOException {
		long rowCount = reader.getRecordCount();
		if (rowCount > Integer.MAX_VALUE) {
			throw new DataValidationFailed(file.path(), null, "more than 2^31 rows in one file");
		}
		int n = (int) rowCount;
		RowGroupDecoder.ColumnArrays columns = new RowGroupDecoder.ColumnArrays(present, n);
		String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
		int offset = 0;
		try {
			PageReadStore pages;
			while ((pages = reader.readNextRowGroup()) != null) {
				RowGroupDecoder group = new RowGroupDecoder(pages, requested, present, createdBy);
				group.next(columns, offset, group.rows());
				offset += group.rows();
			}
		}
		catch (RuntimeException ex) {
			throw ParquetFiles.unreadable(file.path(), "corrupt data after row " + offset + ": ", ex);
		}
		if (offset != n) {
			throw new DataValidationFailed(file.path(), null,
					"footer says " + n + " rows but " + offset + " were read");
		}
		return columns.columns();
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

package dev.retrain.models.dataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Decodes the requested columns of one row group in step, a run of rows at a time,
 * straight into primitive arrays that the caller sizes: a whole file's (each group at its
 * offset) or one slice's.
 */
final class RowGroupDecoder {

	private final List<ColumnRequest> present;

	private final List<ColumnDescriptor> descs = new ArrayList<>();

	private final List<ColumnReader> readers = new ArrayList<>();

	private final int rows;

	/**
	 * Opens a column reader on each of the {@code present} columns of the group's
	 * {@code pages}.
	 */
	RowGroupDecoder(PageReadStore pages, MessageType requested, List<ColumnRequest> present, String createdBy) {
		this.present = present;
		ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages,
				new GroupRecordConverter(requested).getRootConverter(), requested, createdBy);
		for (ColumnRequest req : present) {
			ColumnDescriptor desc = requested.getColumnDescription(new String[] { req.name() });
			this.descs.add(desc);
			this.readers.add(store.getColumnReader(desc));
		}
		this.rows = (int) pages.getRowCount();
	}

	/** Rows in the group. */
	int rows() {
		return this.rows;
	}

	/**
	 * Decodes the next {@code n} rows of every column into {@code out}, from row
	 * {@code offset} of its arrays.
	 */
	void next(ColumnArrays out, int offset, int n) {
		for (int c = 0; c < this.present.size(); c++) {
			if (out.values[c] instanceof double[] values) {
				out.nulls[c] = readNumeric(this.readers.get(c), this.descs.get(c), values, offset, n, out.nulls[c]);
			}
			else {
				readStrings(this.readers.get(c), this.descs.get(c), (String[]) out.values[c], offset, n);
			}
		}
	}

	/**
	 * Arrays of {@code rows} rows for the requested columns; a numeric column's nulls are
	 * made at its first null.
	 */
	static final class ColumnArrays {

		private final List<ColumnRequest> present;

		private final Object[] values;

		private final boolean[][] nulls;

		ColumnArrays(List<ColumnRequest> present, int rows) {
			this.present = present;
			this.values = new Object[present.size()];
			this.nulls = new boolean[present.size()][];
			for (int c = 0; c < present.size(); c++) {
				this.values[c] = (present.get(c).kind() == ColumnRequest.Kind.NUMERIC) ? new double[rows]
						: new String[rows];
			}
		}

		/** The columns by name, in request order. */
		Map<String, Column> columns() {
			Map<String, Column> result = new LinkedHashMap<>();
			for (int c = 0; c < this.present.size(); c++) {
				String name = this.present.get(c).name();
				result.put(name, (this.values[c] instanceof double[] d) ? new NumericColumn(name, d, this.nulls[c])
						: new StringColumn(name, (String[]) this.values[c]));
			}
			return result;
		}

	}

	private static boolean[] readNumeric(ColumnReader cr, ColumnDescriptor desc, double[] out, int offset, int rows,
			boolean[] nulls) {
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
					nulls = new boolean[out.length];
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

	/**
	 * Whole numbers without a trailing ".0", so that a label 1.0 and a label 1 are the
	 * same class.
	 */
	private static String numberText(double v) {
		return (v == Math.rint(v) && Math.abs(v) < 1e15) ? Long.toString((long) v) : Double.toString(v);
	}

}

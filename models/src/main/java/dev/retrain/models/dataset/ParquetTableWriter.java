package dev.retrain.models.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes a flat Parquet file (snappy) from columns: used by the sample data generator and
 * by tests that need files of a particular shape. A {@code null} string and a flagged
 * null double are written as Parquet nulls.
 */
public final class ParquetTableWriter {

	private final List<Object[]> columns = new ArrayList<>();

	private int rows = -1;

	private CompressionCodecName codec = CompressionCodecName.SNAPPY;

	private long rowGroupBytes = ParquetWriter.DEFAULT_BLOCK_SIZE;

	public ParquetTableWriter doubles(String name, double[] values, boolean[] nulls) {
		return add(name, PrimitiveTypeName.DOUBLE, values, values.length, nulls);
	}

	public ParquetTableWriter doubles(String name, double[] values) {
		return doubles(name, values, null);
	}

	public ParquetTableWriter ints(String name, int[] values) {
		return add(name, PrimitiveTypeName.INT32, values, values.length, null);
	}

	public ParquetTableWriter strings(String name, String[] values) {
		return add(name, PrimitiveTypeName.BINARY, values, values.length, null);
	}

	public ParquetTableWriter codec(CompressionCodecName codec) {
		this.codec = codec;
		return this;
	}

	/**
	 * Target row group size (Parquet's default is 128 MiB); smaller groups let readers
	 * stream in smaller steps.
	 */
	public ParquetTableWriter rowGroupBytes(long bytes) {
		this.rowGroupBytes = bytes;
		return this;
	}

	private ParquetTableWriter add(String name, PrimitiveTypeName type, Object values, int n, boolean[] nulls) {
		if (this.rows >= 0 && n != this.rows) {
			throw new IllegalArgumentException("column " + name + " has " + n + " rows, others " + this.rows);
		}
		this.rows = n;
		this.columns.add(new Object[] { name, type, values, nulls });
		return this;
	}

	public void write(Path file) throws IOException {
		Types.MessageTypeBuilder builder = Types.buildMessage();
		for (Object[] c : this.columns) {
			PrimitiveTypeName type = (PrimitiveTypeName) c[1];
			if (type == PrimitiveTypeName.BINARY) {
				builder.optional(type).as(LogicalTypeAnnotation.stringType()).named((String) c[0]);
			}
			else {
				builder.optional(type).named((String) c[0]);
			}
		}
		MessageType schema = builder.named("row");
		Files.createDirectories(file.toAbsolutePath().getParent());
		SimpleGroupFactory factory = new SimpleGroupFactory(schema);
		try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
			.withConf(new PlainParquetConfiguration())
			.withType(schema)
			.withCompressionCodec(this.codec)
			.withPageWriteChecksumEnabled(true)
			.withRowGroupSize(this.rowGroupBytes)
			.withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
			.build()) {
			for (int r = 0; r < Math.max(this.rows, 0); r++) {
				Group g = factory.newGroup();
				for (int c = 0; c < this.columns.size(); c++) {
					Object[] col = this.columns.get(c);
					Object values = col[2];
					boolean[] nulls = (boolean[]) col[3];
					if (nulls != null && nulls[r]) {
						continue;
					}
					if (values instanceof double[] d) {
						g.add(c, d[r]);
					}
					else if (values instanceof int[] i) {
						g.add(c, i[r]);
					}
					else {
						String s = ((String[]) values)[r];
						if (s != null) {
							g.add(c, s);
						}
					}
				}
				writer.write(g);
			}
		}
	}

}

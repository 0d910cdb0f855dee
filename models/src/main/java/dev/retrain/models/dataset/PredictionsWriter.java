package dev.retrain.models.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes predictions as one Parquet file, batch by batch, so that what is held is one
 * batch whatever the number of rows: columns {@code key} (the input's key column as text,
 * when there is one), {@code version}, {@code score} and, for classification,
 * {@code label}. Parquet flushes a row group every {@code rowGroupBytes}.
 */
public final class PredictionsWriter implements AutoCloseable {

	public static final String KEY = "key";

	public static final String VERSION = "version";

	public static final String SCORE = "score";

	public static final String LABEL = "label";

	private final ParquetWriter<Integer> writer;

	private final Rows rows;

	private long written;

	public PredictionsWriter(Path file, boolean keyed, boolean labelled, long rowGroupBytes) throws IOException {
		Types.MessageTypeBuilder schema = Types.buildMessage();
		if (keyed) {
			schema.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(KEY);
		}
		schema.required(PrimitiveTypeName.INT32).named(VERSION);
		schema.required(PrimitiveTypeName.DOUBLE).named(SCORE);
		if (labelled) {
			schema.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(LABEL);
		}
		Files.createDirectories(file.toAbsolutePath().getParent());
		this.rows = new Rows(schema.named("prediction"), keyed, labelled);
		this.writer = new Builder(new LocalOutputFile(file), this.rows).withConf(new PlainParquetConfiguration())
			.withCompressionCodec(CompressionCodecName.SNAPPY)
			.withRowGroupSize(rowGroupBytes)
			.withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
			.build();
	}

	/**
	 * Appends {@code n} predictions: keys (null without a key column), scores and labels
	 * (null without classification).
	 */
	public void append(String[] keys, int version, double[] scores, String[] labels, int n) throws IOException {
		this.rows.batch(keys, version, scores, labels);
		for (int r = 0; r < n; r++) {
			this.writer.write(r);
		}
		this.written += n;
	}

	public long rows() {
		return this.written;
	}

	@Override
	public void close() throws IOException {
		this.writer.close();
	}

	/**
	 * Writes row {@code r} of the current batch's arrays straight to Parquet's record
	 * consumer: no object per row (a class label's bytes are made once per class).
	 */
	private static final class Rows extends WriteSupport<Integer> {

		private final MessageType schema;

		private final boolean keyed;

		private final boolean labelled;

		private final Map<String, Binary> labelBytes = new HashMap<>();

		private RecordConsumer out;

		private String[] keys;

		private int version;

		private double[] scores;

		private String[] labels;

		Rows(MessageType schema, boolean keyed, boolean labelled) {
			this.schema = schema;
			this.keyed = keyed;
			this.labelled = labelled;
		}

		void batch(String[] keys, int version, double[] scores, String[] labels) {
			this.keys = keys;
			this.version = version;
			this.scores = scores;
			this.labels = labels;
		}

		@Override
		public WriteContext init(Configuration configuration) {
			return new WriteContext(this.schema, Map.of());
		}

		@Override
		public WriteContext init(ParquetConfiguration configuration) {
			return new WriteContext(this.schema, Map.of());
		}

		@Override
		public void prepareForWrite(RecordConsumer consumer) {
			this.out = consumer;
		}

		@Override
		public void write(Integer row) {
			int r = row;
			RecordConsumer c = this.out;
			c.startMessage();
			int field = 0;
			if (this.keyed) {
				if (this.keys != null && this.keys[r] != null) {
					c.startField(KEY, field);
					c.addBinary(Binary.fromString(this.keys[r]));
					c.endField(KEY, field);
				}
				field++;
			}
			c.startField(VERSION, field);
			c.addInteger(this.version);
			c.endField(VERSION, field);
			field++;
			c.startField(SCORE, field);
			c.addDouble(this.scores[r]);
			c.endField(SCORE, field);
			field++;
			if (this.labelled && this.labels != null && this.labels[r] != null) {
				c.startField(LABEL, field);
				c.addBinary(this.labelBytes.computeIfAbsent(this.labels[r], Binary::fromString));
				c.endField(LABEL, field);
			}
			c.endMessage();
		}

	}

	private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {

		private final Rows rows;

		Builder(LocalOutputFile file, Rows rows) {
			super(file);
			this.rows = rows;
		}

		@Override
		protected Builder self() {
			return this;
		}

		@Override
		protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
			return this.rows;
		}

		@Override
		protected WriteSupport<Integer> getWriteSupport(ParquetConfiguration conf) {
			return this.rows;
		}

	}

}

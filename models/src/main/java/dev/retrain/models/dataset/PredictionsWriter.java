package dev.retrain.models.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

	private final ParquetWriter<Group> writer;

	private final SimpleGroupFactory factory;

	private final boolean keyed;

	private final boolean labelled;

	private long rows;

	public PredictionsWriter(Path file, boolean keyed, boolean labelled, long rowGroupBytes) throws IOException {
		this.keyed = keyed;
		this.labelled = labelled;
		Types.MessageTypeBuilder schema = Types.buildMessage();
		if (keyed) {
			schema.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(KEY);
		}
		schema.required(PrimitiveTypeName.INT32).named(VERSION);
		schema.required(PrimitiveTypeName.DOUBLE).named(SCORE);
		if (labelled) {
			schema.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(LABEL);
		}
		MessageType type = schema.named("prediction");
		Files.createDirectories(file.toAbsolutePath().getParent());
		this.factory = new SimpleGroupFactory(type);
		this.writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
			.withConf(new PlainParquetConfiguration())
			.withType(type)
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
		for (int r = 0; r < n; r++) {
			Group g = this.factory.newGroup();
			if (this.keyed && keys[r] != null) {
				g.add(KEY, keys[r]);
			}
			g.add(VERSION, version);
			g.add(SCORE, scores[r]);
			if (this.labelled && labels[r] != null) {
				g.add(LABEL, labels[r]);
			}
			this.writer.write(g);
		}
		this.rows += n;
	}

	public long rows() {
		return this.rows;
	}

	@Override
	public void close() throws IOException {
		this.writer.close();
	}

}

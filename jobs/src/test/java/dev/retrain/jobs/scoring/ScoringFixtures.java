package dev.retrain.jobs.scoring;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.ParquetTableWriter;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;

import static dev.retrain.jobs.PipelineFixtures.LAST;

/** Input days with ids for the scoring tests, made from the sample data's last day. */
final class ScoringFixtures {

	static final String FEATURES_ONLY = "tenure_days,monthly_spend,sessions,support_calls,plan,region";

	private ScoringFixtures() {
	}

	/** The last sample day's rows with their label, {@code churned}. */
	static Table last(Path data) {
		return new ParquetTableReader(data).read(new PartitionedDirectory(data).resolve(LAST, LAST),
				List.of(new ColumnRequest("tenure_days", ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest("monthly_spend", ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest("sessions", ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest("support_calls", ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest("plan", ColumnRequest.Kind.STRING, true),
						new ColumnRequest("region", ColumnRequest.Kind.STRING, true),
						new ColumnRequest("churned", ColumnRequest.Kind.STRING, true)));
	}

	/**
	 * Labels for a day written by {@link #writeDay}: key {@code prefix + i} and the label
	 * of the row it copies, flipped when {@code flipped}.
	 */
	static void writeLabels(Path root, Path data, LocalDate day, int copies, String prefix, boolean flipped)
			throws IOException {
		Table last = last(data);
		int n = last.rows() * copies;
		String[] ids = new String[n];
		String[] labels = new String[n];
		for (int i = 0; i < n; i++) {
			ids[i] = prefix + i;
			String y = last.strings("churned").values()[i % last.rows()];
			labels[i] = flipped ? (y.equals("1") ? "0" : "1") : y;
		}
		new ParquetTableWriter().strings("customer_id", ids)
			.strings("churned", labels)
			.write(root.resolve(PartitionedDirectory.PREFIX + day).resolve("labels.parquet"));
	}

	/**
	 * A day of {@code copies} times the rows of {@code LAST}, with ids, in row groups of
	 * a few thousand rows; {@code drop} leaves out a column, {@code plan} (not null)
	 * replaces every third row's plan.
	 */
	static Path writeDay(Path data, LocalDate day, int copies, String drop, String plan) throws IOException {
		Table last = last(data);
		int n = last.rows() * copies;
		ParquetTableWriter w = new ParquetTableWriter().rowGroupBytes(64 << 10);
		for (String name : FEATURES_ONLY.split(",")) {
			if (name.equals(drop)) {
				continue;
			}
			if (name.equals("plan") || name.equals("region")) {
				String[] v = new String[n];
				for (int i = 0; i < n; i++) {
					v[i] = last.strings(name).values()[i % last.rows()];
					if (name.equals("plan") && plan != null && i % 3 == 0) {
						v[i] = plan;
					}
				}
				w.strings(name, v);
			}
			else {
				double[] v = new double[n];
				boolean[] nulls = new boolean[n];
				for (int i = 0; i < n; i++) {
					v[i] = last.numeric(name).values()[i % last.rows()];
					nulls[i] = last.numeric(name).isNull(i % last.rows());
				}
				w.doubles(name, v, nulls);
			}
		}
		String[] ids = new String[n];
		for (int i = 0; i < n; i++) {
			ids[i] = "id-" + i;
		}
		w.strings("customer_id", ids);
		Path file = data.resolve(PartitionedDirectory.PREFIX + day).resolve("part-0.parquet");
		w.write(file);
		return file;
	}

}

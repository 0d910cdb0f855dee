package dev.retrain.models.drift;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.ParquetTableWriter;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureSpec;

/**
 * The rows a model version is judged against later, stored with it as
 * {@code reference.parquet}: a seeded sample of its training rows (each with its day, so
 * that drift checks can see what a normal day looks like) and its primary holdout rows
 * (for performance drift).
 */
public record ReferenceSample(Table train, Table holdout) {

	public static final String FILE = "reference.parquet";

	static final String DAY = "__day";

	static final String SET = "__set";

	public static void write(Path file, Table train, Table holdout, List<FeatureSpec> features, String label,
			boolean numericLabel, int maxRows, long seed) throws IOException {
		int[] trainRows = sample(train.rows(), maxRows, seed);
		int[] holdoutRows = sample(holdout.rows(), maxRows, seed + 1);
		int n = trainRows.length + holdoutRows.length;
		ParquetTableWriter w = new ParquetTableWriter();
		List<String> columns = new ArrayList<>(features.stream().map(FeatureSpec::name).toList());
		columns.add(label);
		for (String c : columns) {
			boolean numeric = (c.equals(label)) ? numericLabel
					: features.stream().filter(f -> f.name().equals(c)).findFirst().orElseThrow().isNumeric();
			if (numeric) {
				double[] v = new double[n];
				boolean[] nulls = new boolean[n];
				fillNumeric(train.numeric(c), trainRows, v, nulls, 0);
				fillNumeric(holdout.numeric(c), holdoutRows, v, nulls, trainRows.length);
				w.doubles(c, v, nulls);
			}
			else {
				String[] v = new String[n];
				fillStrings(train.strings(c), trainRows, v, 0);
				fillStrings(holdout.strings(c), holdoutRows, v, trainRows.length);
				w.strings(c, v);
			}
		}
		int[] days = new int[n];
		String[] set = new String[n];
		for (int i = 0; i < trainRows.length; i++) {
			days[i] = train.epochDays()[trainRows[i]];
			set[i] = "train";
		}
		for (int i = 0; i < holdoutRows.length; i++) {
			days[trainRows.length + i] = holdout.epochDays()[holdoutRows[i]];
			set[trainRows.length + i] = "holdout";
		}
		w.ints(DAY, days).strings(SET, set).write(file);
	}

	public static ReferenceSample read(Path file, List<ColumnRequest> columns) throws IOException {
		List<ColumnRequest> all = new ArrayList<>(columns);
		all.add(ColumnRequest.numeric(DAY));
		all.add(ColumnRequest.string(SET));
		DataFile df = new DataFile(file.getFileName().toString(), null, Files.size(file), -1, "");
		Table raw = new ParquetTableReader(file.getParent()).read(List.of(df), all);
		double[] dayValues = raw.numeric(DAY).values();
		int[] days = new int[dayValues.length];
		for (int i = 0; i < days.length; i++) {
			days[i] = (int) dayValues[i];
		}
		Table withDays = new Table(columnsOf(raw, columns), raw.rows(), days, raw.segments());
		String[] set = raw.strings(SET).values();
		List<Integer> train = new ArrayList<>();
		List<Integer> holdout = new ArrayList<>();
		for (int i = 0; i < set.length; i++) {
			("train".equals(set[i]) ? train : holdout).add(i);
		}
		return new ReferenceSample(withDays.select(train.stream().mapToInt(Integer::intValue).toArray()),
				withDays.select(holdout.stream().mapToInt(Integer::intValue).toArray()));
	}

	private static Map<String, dev.retrain.models.dataset.Column> columnsOf(Table raw, List<ColumnRequest> columns) {
		Map<String, dev.retrain.models.dataset.Column> m = new LinkedHashMap<>();
		for (ColumnRequest c : columns) {
			if (raw.has(c.name())) {
				m.put(c.name(), raw.column(c.name()));
			}
		}
		return m;
	}

	/**
	 * Which of {@code rows} rows a reference keeps, in ascending order: all of them up to
	 * {@code max}, else {@code max} drawn without replacement from {@code seed} (what
	 * {@link #write} draws from its tables).
	 */
	public static int[] sample(int rows, int max, long seed) {
		if (rows <= max) {
			int[] all = new int[rows];
			for (int i = 0; i < rows; i++) {
				all[i] = i;
			}
			return all;
		}
		int[] idx = new int[rows];
		for (int i = 0; i < rows; i++) {
			idx[i] = i;
		}
		Random random = new Random(seed);
		for (int i = 0; i < max; i++) {
			int j = i + random.nextInt(rows - i);
			int t = idx[i];
			idx[i] = idx[j];
			idx[j] = t;
		}
		int[] chosen = Arrays.copyOf(idx, max);
		Arrays.sort(chosen);
		return chosen;
	}

	private static void fillNumeric(NumericColumn c, int[] rows, double[] v, boolean[] nulls, int at) {
		for (int i = 0; i < rows.length; i++) {
			v[at + i] = c.values()[rows[i]];
			nulls[at + i] = c.isNull(rows[i]);
		}
	}

	private static void fillStrings(StringColumn c, int[] rows, String[] v, int at) {
		for (int i = 0; i < rows.length; i++) {
			v[at + i] = c.values()[rows[i]];
		}
	}

}

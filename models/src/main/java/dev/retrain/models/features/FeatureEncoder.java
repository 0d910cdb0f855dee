package dev.retrain.models.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.Table;

/**
 * Turns table columns into a dense, row-major float matrix for the network, with
 * encodings learnt from training data.
 */
public final class FeatureEncoder {

	/** Categories seen fewer times than this in training go to the unknown bucket. */
	private static final int MIN_CATEGORY_COUNT = 1;

	private static final int MAX_CATEGORIES = 256;

	private final List<FeatureEncoding> encodings;

	private final int width;

	/**
	 * Per categorical feature, its vocabulary's positions (null for numeric features).
	 */
	private final List<Map<String, Integer>> indexes = new ArrayList<>();

	public FeatureEncoder(List<FeatureEncoding> encodings) {
		this.encodings = List.copyOf(encodings);
		this.width = encodings.stream().mapToInt(FeatureEncoding::width).sum();
		for (FeatureEncoding enc : this.encodings) {
			Map<String, Integer> index = null;
			if (enc.type() == FeatureSpec.FeatureType.CATEGORICAL) {
				index = new HashMap<>();
				for (int i = 0; i < enc.vocabulary().size(); i++) {
					index.put(enc.vocabulary().get(i), i);
				}
			}
			this.indexes.add(index);
		}
	}

	public static FeatureEncoder fit(Table table, List<FeatureSpec> specs) {
		Fitter fitter = new Fitter(specs);
		fitter.add(table);
		return fitter.encoder();
	}

	/**
	 * Learns encodings from a table given in parts (row groups streamed one at a time):
	 * per numeric feature the count, mean and sum of squared deviations of each part,
	 * merged exactly (Chan et al.); per categorical feature the value counts. One part
	 * gives the same encodings as a two-pass fit of the whole.
	 */
	public static final class Fitter {

		private final List<FeatureSpec> specs;

		private final long[] counts;

		private final double[] means;

		private final double[] m2;

		private final List<Map<String, Long>> categories = new ArrayList<>();

		public Fitter(List<FeatureSpec> specs) {
			this.specs = List.copyOf(specs);
			this.counts = new long[specs.size()];
			this.means = new double[specs.size()];
			this.m2 = new double[specs.size()];
			for (int i = 0; i < specs.size(); i++) {
				this.categories.add(new HashMap<>());
			}
		}

		public void add(Table part) {
			for (int f = 0; f < this.specs.size(); f++) {
				FeatureSpec spec = this.specs.get(f);
				if (spec.isNumeric()) {
					addNumeric(f, part.numeric(spec.name()));
				}
				else {
					Map<String, Long> counts = this.categories.get(f);
					for (String s : part.strings(spec.name()).values()) {
						if (s != null) {
							counts.merge(s, 1L, Long::sum);
						}
					}
				}
			}
		}

		private void addNumeric(int f, NumericColumn column) {
			double sum = 0;
			long n = 0;
			double[] v = column.values();
			for (int i = 0; i < v.length; i++) {
				if (!column.isNull(i) && Double.isFinite(v[i])) {
					sum += v[i];
					n++;
				}
			}
			if (n == 0) {
				return;
			}
			double mean = sum / n;
			double sumSq = 0;
			for (int i = 0; i < v.length; i++) {
				if (!column.isNull(i) && Double.isFinite(v[i])) {
					double d = v[i] - mean;
					sumSq += d * d;
				}
			}
			long total = this.counts[f] + n;
			double delta = mean - this.means[f];
			this.m2[f] += sumSq + delta * delta * ((double) this.counts[f] * n / total);
			this.means[f] += delta * n / total;
			this.counts[f] = total;
		}

		public FeatureEncoder encoder() {
			List<FeatureEncoding> encodings = new ArrayList<>();
			for (int f = 0; f < this.specs.size(); f++) {
				FeatureSpec spec = this.specs.get(f);
				if (spec.isNumeric()) {
					long n = this.counts[f];
					double std = (n > 1) ? Math.sqrt(this.m2[f] / (n - 1)) : 1.0;
					if (n > 0 && !(Math.abs(this.means[f]) <= Float.MAX_VALUE && std <= Float.MAX_VALUE)) {
						// a float network cannot take these values: corrupt or mis-scaled
						// data, not a model to train
						throw new DataValidationFailed(null, spec.name(), "values beyond what a model can take (mean "
								+ this.means[f] + ", standard deviation " + std + "): corrupt or mis-scaled data");
					}
					encodings.add(new FeatureEncoding(spec.name(), FeatureSpec.FeatureType.NUMERIC,
							(n > 0) ? this.means[f] : 0.0, (std > 1e-12) ? std : 1.0, null));
				}
				else if (spec.categories() != null) {
					encodings.add(new FeatureEncoding(spec.name(), FeatureSpec.FeatureType.CATEGORICAL, null, null,
							spec.categories()));
				}
				else {
					List<String> vocabulary = this.categories.get(f)
						.entrySet()
						.stream()
						.filter(e -> e.getValue() >= MIN_CATEGORY_COUNT)
						.sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
							.thenComparing(Map.Entry.comparingByKey()))
						.limit(MAX_CATEGORIES)
						.map(Map.Entry::getKey)
						.sorted()
						.toList();
					encodings.add(new FeatureEncoding(spec.name(), FeatureSpec.FeatureType.CATEGORICAL, null, null,
							vocabulary));
				}
			}
			return new FeatureEncoder(encodings);
		}

	}

	public List<FeatureEncoding> encodings() {
		return this.encodings;
	}

	public int width() {
		return this.width;
	}

	/**
	 * Names and types of the inputs, in order: two encoders with the same signature take
	 * the same table.
	 */
	public List<String> signature() {
		return this.encodings.stream().map(e -> e.name() + ":" + e.type()).toList();
	}

	/**
	 * The encoded matrix's columns, in order: {@code name} and {@code name:missing} for a
	 * numeric feature, {@code name=value} per category and {@code name=<other>} for a
	 * categorical one.
	 */
	public List<String> columns() {
		List<String> columns = new ArrayList<>(this.width);
		for (FeatureEncoding enc : this.encodings) {
			if (enc.type() == FeatureSpec.FeatureType.NUMERIC) {
				columns.add(enc.name());
				columns.add(enc.name() + ":missing");
			}
			else {
				enc.vocabulary().forEach(v -> columns.add(enc.name() + "=" + v));
				columns.add(enc.name() + "=<other>");
			}
		}
		return columns;
	}

	public float[] encode(Table table) {
		float[] out = new float[table.rows() * this.width];
		encodeRows(table, null, 0, table.rows(), out, 0);
		return out;
	}

	/**
	 * Encodes {@code n} rows into {@code out} from row {@code outRow} on: the table's
	 * rows {@code rows[from..from+n)}, or rows {@code from..from+n} when {@code rows} is
	 * null. The target rows of {@code out} are overwritten.
	 */
	public void encodeRows(Table table, int[] rows, int from, int n, float[] out, int outRow) {
		Arrays.fill(out, outRow * this.width, (outRow + n) * this.width, 0f);
		int offset = 0;
		for (int f = 0; f < this.encodings.size(); f++) {
			FeatureEncoding enc = this.encodings.get(f);
			if (enc.type() == FeatureSpec.FeatureType.NUMERIC) {
				NumericColumn c = table.numeric(enc.name());
				double[] v = c.values();
				double mean = enc.mean();
				double std = enc.std();
				for (int i = 0; i < n; i++) {
					int r = (rows != null) ? rows[from + i] : from + i;
					int at = (outRow + i) * this.width + offset;
					if (c.isNull(r) || !Double.isFinite(v[r])) {
						out[at + 1] = 1f;
					}
					else {
						out[at] = (float) ((v[r] - mean) / std);
					}
				}
			}
			else {
				Map<String, Integer> index = this.indexes.get(f);
				int unknown = enc.vocabulary().size();
				String[] v = table.strings(enc.name()).values();
				for (int i = 0; i < n; i++) {
					int r = (rows != null) ? rows[from + i] : from + i;
					Integer k = (v[r] != null) ? index.get(v[r]) : null;
					out[(outRow + i) * this.width + offset + ((k != null) ? k : unknown)] = 1f;
				}
			}
			offset += enc.width();
		}
	}

}

package dev.retrain.models.features;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;

/** Turns table columns into a dense, row-major float matrix for the network, with encodings learnt from training data. */
public final class FeatureEncoder {

	/** Categories seen fewer times than this in training go to the unknown bucket. */
	private static final int MIN_CATEGORY_COUNT = 1;

	private static final int MAX_CATEGORIES = 256;

	private final List<FeatureEncoding> encodings;

	private final int width;

	public FeatureEncoder(List<FeatureEncoding> encodings) {
		this.encodings = List.copyOf(encodings);
		this.width = encodings.stream().mapToInt(FeatureEncoding::width).sum();
	}

	public static FeatureEncoder fit(Table table, List<FeatureSpec> specs) {
		List<FeatureEncoding> encodings = new ArrayList<>();
		for (FeatureSpec spec : specs) {
			encodings.add(spec.isNumeric() ? fitNumeric(table.numeric(spec.name()))
					: fitCategorical(table.strings(spec.name())));
		}
		return new FeatureEncoder(encodings);
	}

	private static FeatureEncoding fitNumeric(NumericColumn column) {
		double sum = 0;
		double sumSq = 0;
		long n = 0;
		double[] v = column.values();
		for (int i = 0; i < v.length; i++) {
			if (!column.isNull(i) && Double.isFinite(v[i])) {
				sum += v[i];
				n++;
			}
		}
		double mean = (n > 0) ? sum / n : 0.0;
		for (int i = 0; i < v.length; i++) {
			if (!column.isNull(i) && Double.isFinite(v[i])) {
				double d = v[i] - mean;
				sumSq += d * d;
			}
		}
		double std = (n > 1) ? Math.sqrt(sumSq / (n - 1)) : 1.0;
		return new FeatureEncoding(column.name(), FeatureSpec.FeatureType.NUMERIC, mean, (std > 1e-12) ? std : 1.0, null);
	}

	private static FeatureEncoding fitCategorical(StringColumn column) {
		Map<String, Integer> counts = new HashMap<>();
		for (String s : column.values()) {
			if (s != null) {
				counts.merge(s, 1, Integer::sum);
			}
		}
		List<String> vocabulary = counts.entrySet()
			.stream()
			.filter(e -> e.getValue() >= MIN_CATEGORY_COUNT)
			.sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
			.limit(MAX_CATEGORIES)
			.map(Map.Entry::getKey)
			.sorted()
			.toList();
		return new FeatureEncoding(column.name(), FeatureSpec.FeatureType.CATEGORICAL, null, null, vocabulary);
	}

	public List<FeatureEncoding> encodings() {
		return this.encodings;
	}

	public int width() {
		return this.width;
	}

	/** Names and types of the inputs, in order: two encoders with the same signature take the same table. */
	public List<String> signature() {
		return this.encodings.stream().map(e -> e.name() + ":" + e.type()).toList();
	}

	public float[] encode(Table table) {
		int rows = table.rows();
		float[] out = new float[rows * this.width];
		int offset = 0;
		for (FeatureEncoding enc : this.encodings) {
			if (enc.type() == FeatureSpec.FeatureType.NUMERIC) {
				NumericColumn c = table.numeric(enc.name());
				double[] v = c.values();
				double mean = enc.mean();
				double std = enc.std();
				for (int r = 0; r < rows; r++) {
					int at = r * this.width + offset;
					if (c.isNull(r) || !Double.isFinite(v[r])) {
						out[at] = 0f;
						out[at + 1] = 1f;
					}
					else {
						out[at] = (float) ((v[r] - mean) / std);
					}
				}
			}
			else {
				StringColumn c = table.strings(enc.name());
				Map<String, Integer> index = new HashMap<>();
				for (int i = 0; i < enc.vocabulary().size(); i++) {
					index.put(enc.vocabulary().get(i), i);
				}
				int unknown = enc.vocabulary().size();
				String[] v = c.values();
				for (int r = 0; r < rows; r++) {
					Integer i = (v[r] != null) ? index.get(v[r]) : null;
					out[r * this.width + offset + ((i != null) ? i : unknown)] = 1f;
				}
			}
			offset += enc.width();
		}
		return out;
	}

}

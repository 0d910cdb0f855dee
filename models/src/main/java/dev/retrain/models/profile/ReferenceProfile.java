package dev.retrain.models.profile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;

/**
 * What "normal" input and output look like for a model version, stored with it for drift
 * checks later.
 */
public record ReferenceProfile(int rows, Map<String, NumericProfile> numeric,
		Map<String, CategoricalProfile> categorical, ScoreProfile scores) {

	private static final int QUANTILES = 100;

	public static ReferenceProfile of(Table table, List<FeatureSpec> features, Predictions predictions) {
		Map<String, NumericProfile> numeric = new LinkedHashMap<>();
		Map<String, CategoricalProfile> categorical = new LinkedHashMap<>();
		for (FeatureSpec f : features) {
			if (f.isNumeric()) {
				numeric.put(f.name(), numeric(table.numeric(f.name())));
			}
			else {
				categorical.put(f.name(), categorical(table.strings(f.name())));
			}
		}
		return new ReferenceProfile(table.rows(), numeric, categorical,
				(predictions != null) ? scores(predictions) : null);
	}

	static NumericProfile numeric(NumericColumn c) {
		double[] v = c.values();
		double[] finite = new double[v.length];
		int n = 0;
		for (int i = 0; i < v.length; i++) {
			if (!c.isNull(i) && Double.isFinite(v[i])) {
				finite[n++] = v[i];
			}
		}
		finite = Arrays.copyOf(finite, n);
		Arrays.sort(finite);
		double mean = 0;
		for (double x : finite) {
			mean += x;
		}
		mean = (n > 0) ? mean / n : Double.NaN;
		double ss = 0;
		for (double x : finite) {
			ss += (x - mean) * (x - mean);
		}
		double missing = (v.length > 0) ? (double) (v.length - n) / v.length : 0.0;
		return new NumericProfile(n, missing, mean, (n > 1) ? Math.sqrt(ss / (n - 1)) : 0.0,
				(n > 0) ? finite[0] : Double.NaN, (n > 0) ? finite[n - 1] : Double.NaN, quantiles(finite));
	}

	static CategoricalProfile categorical(StringColumn c) {
		Map<String, Long> counts = new TreeMap<>();
		long n = 0;
		for (String s : c.values()) {
			if (s != null) {
				counts.merge(s, 1L, Long::sum);
				n++;
			}
		}
		Map<String, Double> freq = new LinkedHashMap<>();
		long total = n;
		counts.forEach((k, cnt) -> freq.put(k, (double) cnt / total));
		double missing = (c.size() > 0) ? (double) (c.size() - n) / c.size() : 0.0;
		return new CategoricalProfile(n, missing, freq);
	}

	static ScoreProfile scores(Predictions p) {
		int rows = p.rows();
		double[] s = new double[rows];
		double confidence = 0;
		for (int i = 0; i < rows; i++) {
			if (p.task() == Task.REGRESSION) {
				s[i] = p.scores()[i];
			}
			else if (p.task() == Task.BINARY_CLASSIFICATION) {
				s[i] = p.scores()[i];
				confidence += Math.max(s[i], 1 - s[i]);
			}
			else {
				s[i] = p.probability(i, p.predictedClass(i));
				confidence += s[i];
			}
		}
		Arrays.sort(s);
		return new ScoreProfile(rows, quantiles(s),
				(p.task() == Task.REGRESSION || rows == 0) ? Double.NaN : confidence / rows);
	}

	/**
	 * Linear-interpolated quantiles (numpy's default) at 0, 1/100, ..., 1 of sorted
	 * values.
	 */
	static List<Double> quantiles(double[] sorted) {
		List<Double> q = new ArrayList<>(QUANTILES + 1);
		if (sorted.length == 0) {
			return q;
		}
		for (int k = 0; k <= QUANTILES; k++) {
			double pos = (sorted.length - 1) * (double) k / QUANTILES;
			int lo = (int) Math.floor(pos);
			int hi = Math.min(lo + 1, sorted.length - 1);
			q.add(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo));
		}
		return q;
	}

}

package dev.retrain.models.promotion;

import java.util.Locale;
import java.util.SplittableRandom;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Predictions;

/**
 * How long the paired bootstrap takes on a large holdout, per metric: {@code java -cp
 * <test classpath> dev.retrain.models.promotion.PairedBootstrapBenchmark [rows]
 * [resamples]}. Not a test: it prints the times (docs/pipeline-yaml.md quotes them).
 */
public final class PairedBootstrapBenchmark {

	private PairedBootstrapBenchmark() {
	}

	public static void main(String[] args) {
		int n = (args.length > 0) ? Integer.parseInt(args[0]) : 100_000;
		int resamples = (args.length > 1) ? Integer.parseInt(args[1]) : PairedTest.DEFAULT_RESAMPLES;
		SplittableRandom random = new SplittableRandom(1);
		double[] y = new double[n];
		double[] a = new double[n];
		double[] b = new double[n];
		for (int i = 0; i < n; i++) {
			y[i] = random.nextInt(2);
			a[i] = Math.min(0.999, Math.max(0.001, 0.5 + (y[i] - 0.5) * 0.3 + random.nextGaussian() * 0.2));
			b[i] = Math.min(0.999, Math.max(0.001, 0.5 + (y[i] - 0.5) * 0.29 + random.nextGaussian() * 0.2));
		}
		Predictions cand = new Predictions(Task.BINARY_CLASSIFICATION, 2, a);
		Predictions champ = new Predictions(Task.BINARY_CLASSIFICATION, 2, b);
		PairedTest test = new PairedTest(PairedTest.Method.PAIRED_BOOTSTRAP, 0.95, 0.0, resamples,
				PairedTest.DEFAULT_SEED);
		for (int round = 0; round < 2; round++) {
			for (Metric m : new Metric[] { Metric.ACCURACY, Metric.LOG_LOSS, Metric.F1, Metric.ROC_AUC }) {
				long started = System.nanoTime();
				PairedTestResult r = PairedBootstrap.compare(m, cand, champ, y, test);
				System.out.printf(Locale.ROOT, "%s %-8s %d rows x %d resamples: %.2f s  %s%n",
						(round == 0) ? "warm-up" : "measured", m.key(), n, resamples,
						(System.nanoTime() - started) / 1e9, r.interval());
			}
			long started = System.nanoTime();
			PairedTestResult r = McNemar.compare(cand, champ, y, test);
			System.out.printf(Locale.ROOT, "%s mcnemar  %d rows: %.3f s  %s%n", (round == 0) ? "warm-up" : "measured",
					n, (System.nanoTime() - started) / 1e9, r.interval());
		}
	}

}

package dev.retrain.models.metrics;

import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.retrain.models.features.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RowWeightedMetricTests {

	@Test
	void weightsEqualRepeatingTheRowsForEveryMetricAndTask() {
		SplittableRandom random = new SplittableRandom(11);
		int n = 400;
		for (Task task : Task.values()) {
			int k = (task == Task.MULTICLASS_CLASSIFICATION) ? 3 : 2;
			int width = (task == Task.MULTICLASS_CLASSIFICATION) ? k : 1;
			double[] y = new double[n];
			double[] s = new double[n * width];
			for (int i = 0; i < n; i++) {
				y[i] = (task == Task.REGRESSION) ? random.nextGaussian() : random.nextInt(k);
				if (task == Task.MULTICLASS_CLASSIFICATION) {
					double sum = 0;
					for (int c = 0; c < k; c++) {
						// rounded so that ties occur
						s[i * k + c] = Math.round((random.nextDouble() + ((y[i] == c) ? 0.4 : 0)) * 10) / 10.0 + 0.01;
						sum += s[i * k + c];
					}
					for (int c = 0; c < k; c++) {
						s[i * k + c] /= sum;
					}
				}
				else if (task == Task.BINARY_CLASSIFICATION) {
					s[i] = Math
						.round(Math.min(0.99, Math.max(0.01, 0.3 + 0.4 * y[i] + random.nextGaussian() * 0.25)) * 20)
							/ 20.0;
				}
				else {
					s[i] = y[i] + random.nextGaussian() * 0.5;
				}
			}
			Predictions p = new Predictions(task, k, s);
			int[] weights = new int[n];
			int total = 0;
			for (int i = 0; i < n; i++) {
				weights[i] = random.nextInt(4);
				total += weights[i];
			}
			int[] expanded = new int[total];
			double[] ey = new double[total];
			int at = 0;
			for (int i = 0; i < n; i++) {
				for (int w = 0; w < weights[i]; w++) {
					expanded[at] = i;
					ey[at++] = y[i];
				}
			}
			Map<String, Double> repeated = Metrics.compute(p.select(expanded), ey);
			int[] ones = new int[n];
			java.util.Arrays.fill(ones, 1);
			Map<String, Double> plain = Metrics.compute(p, y);
			for (Metric m : Metric.values()) {
				if (!m.appliesTo(task)) {
					continue;
				}
				RowWeightedMetric rw = RowWeightedMetric.of(m, p, y);
				assertThat(rw.value(weights)).as(task + " " + m).isCloseTo(repeated.get(m.key()), within(1e-12));
				assertThat(rw.value(ones)).as(task + " " + m).isCloseTo(plain.get(m.key()), within(1e-12));
			}
		}
	}

}

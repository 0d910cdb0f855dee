package dev.retrain.models.metrics;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.retrain.models.features.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MetricsTests {

	@Test
	void binaryMetricsMatchHandComputedValues() {
		// scores and labels checked against sklearn: roc_auc 0.75, log_loss 0.5798...,
		// accuracy 0.75, f1 0.8
		Predictions p = new Predictions(Task.BINARY_CLASSIFICATION, 1, new double[] { 0.1, 0.4, 0.35, 0.8 });
		Map<String, Double> m = Metrics.compute(p, new double[] { 0, 0, 1, 1 });
		assertThat(m.get("roc_auc")).isCloseTo(0.75, within(1e-12));
		assertThat(m.get("accuracy")).isCloseTo(0.75, within(1e-12));
		assertThat(m.get("f1")).isCloseTo(2.0 / 3.0, within(1e-12));
		double expectedLogLoss = -(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4;
		assertThat(m.get("log_loss")).isCloseTo(expectedLogLoss, within(1e-12));
	}

	@Test
	void aucAveragesTiesAndIsUndefinedWithOneClass() {
		assertThat(Metrics.auc(new double[] { 0.5, 0.5 }, new boolean[] { true, false })).isEqualTo(0.5);
		assertThat(Metrics.auc(new double[] { 0.1, 0.9 }, new boolean[] { true, true })).isNaN();
	}

	@Test
	void regressionMetrics() {
		Predictions p = new Predictions(Task.REGRESSION, 1, new double[] { 1, 2, 4 });
		Map<String, Double> m = Metrics.compute(p, new double[] { 1, 3, 2 });
		assertThat(m.get("mae")).isCloseTo(1.0, within(1e-12));
		assertThat(m.get("rmse")).isCloseTo(Math.sqrt(5.0 / 3), within(1e-12));
	}

	@Test
	void multiclassUsesArgmaxAndMacroAverages() {
		Predictions p = new Predictions(Task.MULTICLASS_CLASSIFICATION, 3,
				new double[] { 0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.3, 0.5, 0.6, 0.3, 0.1 });
		Map<String, Double> m = Metrics.compute(p, new double[] { 0, 1, 2, 1 });
		assertThat(m.get("accuracy")).isCloseTo(0.75, within(1e-12));
		assertThat(m.get("f1")).isCloseTo((2.0 / 3 + 2.0 / 3 + 1.0) / 3, within(1e-12));
	}

}

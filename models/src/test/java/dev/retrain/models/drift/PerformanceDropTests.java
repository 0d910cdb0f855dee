package dev.retrain.models.drift;

import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Predictions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The performance test on predictions whose metrics are known: a perfect holdout, current
 * rows right or not.
 */
class PerformanceDropTests {

	/** Labels 0, 1, 0, 1, ... */
	static final double[] LABELS = IntStream.range(0, 40).mapToDouble(i -> i % 2).toArray();

	/**
	 * Binary scores that get every label right, or (with {@code halfWrong}) half of them
	 * wrong.
	 */
	static Predictions binary(boolean halfWrong) {
		double[] s = new double[LABELS.length];
		for (int i = 0; i < s.length; i++) {
			boolean right = !halfWrong || i % 4 < 2;
			s[i] = (LABELS[i] == 1) == right ? 0.9 : 0.1;
		}
		return new Predictions(Task.BINARY_CLASSIFICATION, 1, s);
	}

	static Predictions regression(double error) {
		return new Predictions(Task.REGRESSION, 1,
				IntStream.range(0, 40).mapToDouble(i -> LABELS[i] + error).toArray());
	}

	@Test
	void accuracyHalvedFromAPerfectHoldoutDrops() {
		PerformanceDrop d = PerformanceDrop.test(Metric.ACCURACY, binary(true), LABELS, binary(false), LABELS, 7, 0.01,
				0.05);

		assertThat(d.metric()).isEqualTo(Metric.ACCURACY);
		assertThat(d.labelledRows()).isEqualTo(40);
		assertThat(d.current()).isEqualTo(0.5);
		assertThat(d.holdout()).isEqualTo(1.0);
		// every bootstrap resample of a perfect holdout is perfect
		assertThat(d.threshold()).isEqualTo(1.0);
		assertThat(d.binomialPValue()).isZero();
		assertThat(d.dropped()).isTrue();
	}

	@Test
	void theSameQualityAsTheHoldoutDoesNotDrop() {
		PerformanceDrop d = PerformanceDrop.test(Metric.ACCURACY, binary(false), LABELS, binary(false), LABELS, 7, 0.01,
				0.05);

		assertThat(d.current()).isEqualTo(d.holdout());
		assertThat(d.binomialPValue()).isCloseTo(1.0, within(1e-12));
		assertThat(d.dropped()).isFalse();
	}

	@Test
	void aLowerIsBetterMetricDropsWhenItRisesAndHasNoBinomialTest() {
		PerformanceDrop d = PerformanceDrop.test(Metric.RMSE, regression(1.0), LABELS, regression(0.0), LABELS, 7, 0.01,
				0.05);

		assertThat(d.current()).isCloseTo(1.0, within(1e-12));
		assertThat(d.holdout()).isZero();
		assertThat(d.threshold()).isZero();
		assertThat(d.binomialPValue()).isNull();
		assertThat(d.dropped()).isTrue();
	}

	@Test
	void aDropBelowTheFloorDoesNotCount() {
		PerformanceDrop d = PerformanceDrop.test(Metric.RMSE, regression(0.01), LABELS, regression(0.0), LABELS, 7,
				0.01, 0.05);

		assertThat(d.current()).isGreaterThan(d.threshold());
		assertThat(d.dropped()).isFalse();
	}

	@Test
	void theBootstrapIsSeeded() {
		Predictions holdout = binary(true);
		Predictions current = binary(false);

		assertThat(PerformanceDrop.test(Metric.ROC_AUC, current, LABELS, holdout, LABELS, 3, 0.05, 0.05))
			.isEqualTo(PerformanceDrop.test(Metric.ROC_AUC, current, LABELS, holdout, LABELS, 3, 0.05, 0.05));
	}

}

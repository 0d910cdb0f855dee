package dev.retrain.models.promotion;

import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PairedBootstrapTests {

	static final PairedTest TEST = new PairedTest(PairedTest.Method.PAIRED_BOOTSTRAP, 0.95, 0.0, 1000, 1L);

	/** 2000 rows with labels alternating; each model right on the rows given. */
	static double[] labels(int n) {
		double[] y = new double[n];
		for (int i = 0; i < n; i++) {
			y[i] = i % 2;
		}
		return y;
	}

	/** Binary scores that are right (0.8 / 0.2) on rows where {@code right} says so. */
	static Predictions rightOn(double[] y, java.util.function.IntPredicate right) {
		double[] s = new double[y.length];
		for (int i = 0; i < y.length; i++) {
			boolean positive = y[i] == 1.0;
			s[i] = (right.test(i) == positive) ? 0.8 : 0.2;
		}
		return new Predictions(Task.BINARY_CLASSIFICATION, 2, s);
	}

	@Test
	void aClearWinExcludesZero() {
		double[] y = labels(2000);
		// candidate right on 90% of rows, champion on 70%
		Predictions cand = rightOn(y, i -> i % 10 != 0);
		Predictions champ = rightOn(y, i -> i % 10 < 7);

		PairedTestResult r = PairedBootstrap.compare(Metric.ACCURACY, cand, champ, y, TEST);

		assertThat(r.difference()).isCloseTo(0.2, within(1e-12));
		assertThat(r.lower()).isGreaterThan(0.15);
		assertThat(r.upper()).isLessThan(0.25);
		assertThat(r.passes()).isTrue();
		assertThat(r.pValue()).isEqualTo(0.0);
		assertThat(r.verdict()).contains("excludes 0");
	}

	@Test
	void aWinByAFewRowsIncludesZero() {
		double[] y = labels(2000);
		// both right on the same rows except 12 where only the candidate is and 10
		// where only the champion is: +0.001
		Predictions cand = rightOn(y, i -> i % 4 != 0 || (i >= 40 && i < 88));
		Predictions champ = rightOn(y, i -> i % 4 != 0 || (i >= 0 && i < 40));

		PairedTestResult r = PairedBootstrap.compare(Metric.ACCURACY, cand, champ, y, TEST);

		assertThat(r.difference()).isCloseTo(0.001, within(1e-12));
		assertThat(r.lower()).isNegative();
		assertThat(r.upper()).isPositive();
		assertThat(r.passes()).isFalse();
		assertThat(r.verdict()).startsWith("accuracy difference +0.0010, 95% interval [-0.")
			.contains("includes 0: the candidate's win may be noise");
	}

	@Test
	void theSameSeedGivesTheSameIntervalAndAnotherSeedAnother() {
		SplittableRandom random = new SplittableRandom(5);
		double[] y = new double[3000];
		double[] a = new double[3000];
		double[] b = new double[3000];
		for (int i = 0; i < y.length; i++) {
			y[i] = random.nextInt(2);
			a[i] = Math.min(1, Math.max(0, 0.5 + (y[i] - 0.5) * 0.4 + random.nextGaussian() * 0.3));
			b[i] = Math.min(1, Math.max(0, 0.5 + (y[i] - 0.5) * 0.35 + random.nextGaussian() * 0.3));
		}
		Predictions cand = new Predictions(Task.BINARY_CLASSIFICATION, 2, a);
		Predictions champ = new Predictions(Task.BINARY_CLASSIFICATION, 2, b);

		PairedTestResult one = PairedBootstrap.compare(Metric.ROC_AUC, cand, champ, y, TEST);
		PairedTestResult again = PairedBootstrap.compare(Metric.ROC_AUC, cand, champ, y, TEST);
		PairedTestResult other = PairedBootstrap.compare(Metric.ROC_AUC, cand, champ, y,
				new PairedTest(PairedTest.Method.PAIRED_BOOTSTRAP, 0.95, 0.0, 1000, 2L));

		assertThat(again).isEqualTo(one);
		assertThat(other.lower()).isNotEqualTo(one.lower());
		assertThat(other.difference()).isEqualTo(one.difference());
		assertThat(one.difference()).isCloseTo(
				Metrics.compute(cand, y).get("roc_auc") - Metrics.compute(champ, y).get("roc_auc"), within(1e-12));
	}

	@Test
	void lowerIsBetterMetricsAreOrientedSoThatBetterIsPositive() {
		double[] y = labels(1000);
		// the candidate is more confident and right: lower log loss
		double[] a = new double[y.length];
		double[] b = new double[y.length];
		for (int i = 0; i < y.length; i++) {
			a[i] = (y[i] == 1.0) ? 0.9 : 0.1;
			b[i] = (y[i] == 1.0) ? 0.6 : 0.4;
		}
		Predictions cand = new Predictions(Task.BINARY_CLASSIFICATION, 2, a);
		Predictions champ = new Predictions(Task.BINARY_CLASSIFICATION, 2, b);

		PairedTestResult r = PairedBootstrap.compare(Metric.LOG_LOSS, cand, champ, y, TEST);
		PairedTestResult reversed = PairedBootstrap.compare(Metric.LOG_LOSS, champ, cand, y, TEST);

		Map<String, Double> mc = Metrics.compute(cand, y);
		Map<String, Double> mh = Metrics.compute(champ, y);
		assertThat(r.difference()).isCloseTo(mh.get("log_loss") - mc.get("log_loss"), within(1e-12)).isPositive();
		assertThat(r.orientation()).isEqualTo("champion - candidate (lower log_loss is better)");
		assertThat(r.lower()).isPositive();
		assertThat(r.passes()).isTrue();
		assertThat(reversed.difference()).isNegative();
		assertThat(reversed.upper()).isNegative();
		assertThat(reversed.passes()).isFalse();
		assertThat(reversed.verdict())
			.contains("lies below the margin +0.0000: the candidate is not shown to be better");
	}

	@Test
	void aNegativeMarginAcceptsACandidateThatIsNotWorseByMoreThanIt() {
		double[] y = labels(2000);
		Predictions cand = rightOn(y, i -> i % 4 != 0 || (i >= 40 && i < 80));
		Predictions champ = rightOn(y, i -> i % 4 != 0 || (i >= 0 && i < 48));
		PairedTest nonInferior = new PairedTest(PairedTest.Method.PAIRED_BOOTSTRAP, 0.95, -0.02, 1000, 1L);

		PairedTestResult r = PairedBootstrap.compare(Metric.ACCURACY, cand, champ, y, nonInferior);

		assertThat(r.difference()).isCloseTo(-0.001, within(1e-12));
		assertThat(r.lower()).isGreaterThan(-0.02);
		assertThat(r.passes()).isTrue();
		assertThat(r.verdict()).contains("lies above the margin -0.0200");
	}

}

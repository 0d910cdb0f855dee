package dev.retrain.jobs.scoring;

import org.junit.jupiter.api.Test;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.promotion.McNemar;
import dev.retrain.models.promotion.PairedTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A shadow's day against the served predictions: a point win without a test, the part-4
 * gate on the same rows with one (a small win by noise does not count), a multiclass day
 * by McNemar on accuracy, rows that cannot be paired, a metric not measured.
 */
class ShadowComparisonTests {

	private static final PairedTest MCNEMAR = new PairedTest(PairedTest.Method.MCNEMAR, 0.95, 0, 0, 0);

	private static ProductionLabels.Joined binary(int version, double[] scores, double[] labels) {
		return new ProductionLabels.Joined(version, labels.length,
				new Predictions(Task.BINARY_CLASSIFICATION, 1, scores), labels, null);
	}

	/**
	 * n rows, labels alternating; the first {@code right} rows predicted right, the rest
	 * wrong.
	 */
	private static ProductionLabels.Joined rightFirst(int version, int n, int right) {
		double[] labels = new double[n];
		double[] scores = new double[n];
		for (int r = 0; r < n; r++) {
			labels[r] = r % 2;
			boolean correct = r < right;
			scores[r] = (correct == (labels[r] == 1)) ? 0.9 : 0.1;
		}
		return binary(version, scores, labels);
	}

	@Test
	void withoutATestAPositiveDifferenceWinsTheDay() {
		ShadowComparison.Verdict v = ShadowComparison.compare(Metric.ACCURACY, null, rightFirst(2, 100, 53),
				rightFirst(1, 100, 50));

		assertThat(v.against()).isEqualTo(1);
		assertThat(v.difference()).isCloseTo(0.03, within(1e-12));
		assertThat(v.won()).isTrue();
		assertThat(v.verdict()).contains("accuracy 0.5300 against v1's 0.5000 (+0.0300) on 100 labelled rows: won");
		assertThat(
				ShadowComparison.compare(Metric.ACCURACY, null, rightFirst(2, 100, 50), rightFirst(1, 100, 50)).won())
			.as("a tie")
			.isFalse();
	}

	@Test
	void withTheGateAWinByNoiseDoesNotCountAndAClearOneDoes() {
		// 3 more rows right of 100: McNemar's b = 3, c = 0, p = 0.25: noise
		ShadowComparison.Verdict noise = ShadowComparison.compare(Metric.ACCURACY, MCNEMAR, rightFirst(2, 100, 53),
				rightFirst(1, 100, 50));
		assertThat(noise.difference()).isPositive();
		assertThat(noise.won()).isFalse();
		assertThat(noise.verdict()).contains("did not win").contains("McNemar, 3 discordant of 100 rows");
		// 30 more: b = 30, c = 0
		ShadowComparison.Verdict clear = ShadowComparison.compare(Metric.ACCURACY, MCNEMAR, rightFirst(2, 100, 80),
				rightFirst(1, 100, 50));
		assertThat(clear.won()).isTrue();
		assertThat(clear.verdict()).contains(McNemar.fromCounts(30, 0, 100, MCNEMAR).verdict());
		// the bootstrap on roc_auc: the same rule
		PairedTest bootstrap = new PairedTest(PairedTest.Method.PAIRED_BOOTSTRAP, 0.95, 0, 200, 7);
		assertThat(ShadowComparison.compare(Metric.ROC_AUC, bootstrap, rightFirst(2, 200, 190), rightFirst(1, 200, 100))
			.won()).isTrue();
	}

	@Test
	void aMulticlassDayIsTestedByMcNemarOnTheStoredClasses() {
		// multiclass predictions as the join has them: the predicted class's index
		double[] labels = new double[60];
		double[] shadow = new double[60];
		double[] served = new double[60];
		for (int r = 0; r < 60; r++) {
			labels[r] = r % 3;
			shadow[r] = (r < 50) ? labels[r] : (labels[r] + 1) % 3;
			served[r] = (r < 20) ? labels[r] : (labels[r] + 1) % 3;
		}
		ShadowComparison.Verdict v = ShadowComparison.compare(Metric.LOG_LOSS,
				new PairedTest(PairedTest.Method.PAIRED_BOOTSTRAP, 0.95, 0, 200, 7),
				new ProductionLabels.Joined(2, 60, new Predictions(Task.MULTICLASS_CLASSIFICATION, 1, shadow), labels,
						null),
				new ProductionLabels.Joined(1, 60, new Predictions(Task.MULTICLASS_CLASSIFICATION, 1, served), labels,
						null));
		assertThat(v.difference()).isCloseTo(0.5, within(1e-12));
		assertThat(v.won()).isTrue();
		assertThat(v.verdict()).startsWith("accuracy 0.8333 against v1's 0.3333")
			.contains(McNemar.fromCounts(30, 0, 60, new PairedTest(PairedTest.Method.PAIRED_BOOTSTRAP, 0.95, 0, 200, 7))
				.verdict());
	}

	@Test
	void rowsThatCannotBePairedOrAMetricNotMeasuredNeverWin() {
		ShadowComparison.Verdict unpaired = ShadowComparison.compare(Metric.ACCURACY, MCNEMAR, rightFirst(2, 100, 90),
				rightFirst(1, 98, 50));
		assertThat(unpaired.won()).isFalse();
		assertThat(unpaired.verdict()).contains("could not be paired");

		double[] ones = { 1, 1, 1, 1 };
		ShadowComparison.Verdict oneClass = ShadowComparison.compare(Metric.ROC_AUC, null,
				binary(2, new double[] { 0.9, 0.8, 0.7, 0.6 }, ones),
				binary(1, new double[] { 0.1, 0.2, 0.3, 0.4 }, ones));
		assertThat(oneClass.won()).isFalse();
		assertThat(oneClass.difference()).isNull();
		assertThat(oneClass.verdict()).contains("roc_auc not measured");

		assertThat(ShadowComparison.compare(Metric.ACCURACY, null, rightFirst(2, 10, 9), null).won()).isFalse();
	}

}

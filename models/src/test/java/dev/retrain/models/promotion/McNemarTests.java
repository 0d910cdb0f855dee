package dev.retrain.models.promotion;

import org.junit.jupiter.api.Test;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Expected values cross-checked with scipy.stats.binomtest and scipy.stats.chi2. */
class McNemarTests {

	static final PairedTest TEST = new PairedTest(PairedTest.Method.MCNEMAR, 0.95, 0.0, 0, 0L);

	@Test
	void exactPValueOfTenAgainstTwoDiscordantPairs() {
		// 2 * P(X <= 2 | 12, 1/2) = 2 * (1 + 12 + 66) / 4096
		assertThat(McNemar.exactP(10, 2)).isCloseTo(158.0 / 4096, within(1e-15));
		assertThat(McNemar.exactP(2, 10)).isCloseTo(158.0 / 4096, within(1e-15));
		// (|10 - 2| - 1)^2 / 12 on one degree of freedom
		assertThat(McNemar.continuityCorrectedP(10, 2)).isCloseTo(0.04330814281079206, within(1e-12));
		assertThat(McNemar.exactP(0, 0)).isEqualTo(1.0);
		assertThat(McNemar.exactP(5, 5)).isEqualTo(1.0);
	}

	@Test
	void textbookTableOfThreeHundredFourteenPairs() {
		// a=101 both right, b=121, c=59, d=33 both wrong (the Wikipedia example)
		PairedTestResult r = McNemar.fromCounts(121, 59, 314, TEST);

		assertThat(r.pValue()).isCloseTo(4.4344492637551645e-06, within(1e-12));
		assertThat(McNemar.continuityCorrectedP(121, 59)).isCloseTo(5.450094825427117e-06, within(1e-12));
		assertThat(r.difference()).isCloseTo(62.0 / 314, within(1e-15));
		// Clopper-Pearson of 121/180, scaled by 180/314
		assertThat(r.lower()).isCloseTo(0.11287300034782646, within(1e-9));
		assertThat(r.upper()).isCloseTo(0.27540267178675415, within(1e-9));
		assertThat(r.discordant()).isEqualTo(180);
		assertThat(r.passes()).isTrue();
	}

	@Test
	void theIntervalExcludesZeroExactlyWhenTheTestRejects() {
		for (int b = 0; b <= 40; b++) {
			for (int c = 0; c <= 40; c++) {
				PairedTestResult r = McNemar.fromCounts(b, c, 500, TEST);
				boolean rejects = r.pValue() < 0.05;
				assertThat(r.lower() > 0 || r.upper() < 0).as("b=%d c=%d p=%f", b, c, r.pValue()).isEqualTo(rejects);
			}
		}
	}

	@Test
	void countsDiscordantRowsOfTwoClassifiers() {
		double[] y = { 1, 1, 1, 0, 0, 0 };
		// candidate right on rows 0-4, champion right on rows 0, 3, 5
		Predictions cand = new Predictions(Task.BINARY_CLASSIFICATION, 2, new double[] { .9, .8, .7, .1, .2, .9 });
		Predictions champ = new Predictions(Task.BINARY_CLASSIFICATION, 2, new double[] { .9, .1, .2, .1, .7, .3 });

		PairedTestResult r = McNemar.compare(cand, champ, y, TEST);

		assertThat(r.discordant()).isEqualTo(4);
		assertThat(r.difference()).isCloseTo(2.0 / 6, within(1e-15));
		assertThat(r.pValue()).isCloseTo(2 * 5.0 / 16, within(1e-15));
		assertThat(r.passes()).isFalse();
		assertThat(r.method()).isEqualTo("mcnemar");
	}

}

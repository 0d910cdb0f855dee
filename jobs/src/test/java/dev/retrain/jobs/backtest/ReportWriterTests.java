package dev.retrain.jobs.backtest;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.retrain.jobs.backtest.BacktestReport.Period;
import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/**
 * The standalone report stays readable at a thousand periods of four policies: faint raw
 * lines under rolling means, retrains and promotions out of the metric's way, zoom; and a
 * policy's drift section is shown line by line.
 */
class ReportWriterTests {

	static final LocalDate START = LocalDate.parse("2020-01-01");

	static PolicyResult policy(String name, String description, int periods, long seed) {
		Random random = new Random(seed);
		List<Period> timeline = new ArrayList<>();
		int retrains = 0;
		int promotions = 0;
		for (int k = 0; k < periods; k++) {
			boolean retrained = random.nextDouble() < 0.05;
			boolean promoted = retrained && random.nextBoolean();
			retrains += retrained ? 1 : 0;
			promotions += promoted ? 1 : 0;
			timeline.add(new Period(START.plusDays(k), START.plusDays(k), 100, 0.7 + 0.1 * random.nextGaussian(), 1,
					retrained, promoted, null, null, null, null, null));
		}
		return new PolicyResult(name, description, 0.7, periods, retrains, promotions, 0, 0, 0, 0, 0, timeline,
				List.of());
	}

	@Test
	void aThousandPeriodsOfFourPoliciesDrawRollingMeansOverFaintLinesWithMarkersApart() {
		List<PolicyResult> policies = List.of(policy("never", "train once after warm-up", 1000, 1),
				policy("monthly", "retrain on cron", 1000, 2), policy("drift", "drift-triggered", 1000, 3),
				policy("combined", "both", 1000, 4));
		BacktestReport report = new BacktestReport("p", "roc_auc", 1, 30, START, START.plusDays(999), policies,
				List.of(), 0);

		String chart = ReportWriter.chart(report);

		assertThat(count(chart, "class=\"rolling\"")).isEqualTo(4);
		assertThat(count(chart, "class=\"raw\"")).isEqualTo(4);
		assertThat(count(chart, "class=\"retrains\"")).isEqualTo(4);
		Matcher opacity = Pattern.compile("class=\"raw\"[^>]*opacity=\"([0-9.]+)\"").matcher(chart);
		while (opacity.find()) {
			assertThat(Double.parseDouble(opacity.group(1))).as("raw lines are faint").isLessThanOrEqualTo(0.2);
		}
		assertThat(chart).as("no marker sits on a metric line").doesNotContain("<circle");
		assertThat(chart).contains("rolling mean of 25 periods").contains("double-click to zoom out");
		assertThat(chart).contains("addEventListener('mouseup'");
		assertThat(chart.length()).as("a chart, not a dump").isLessThan(400_000);
	}

	@Test
	void theRetrainsPanelIsAValidStepPathAndTheAxesHaveDatesValuesAndALegend() {
		List<PolicyResult> policies = List.of(policy("never", "train once", 4, 7), policy("weekly", "cron", 4, 8));
		BacktestReport report = new BacktestReport("p", "accuracy", 5, 20, START, START.plusDays(3), policies,
				List.of(), 0);

		String chart = ReportWriter.chart(report);

		Matcher retrains = Pattern.compile("class=\"retrains\" d=\"([^\"]+)\"").matcher(chart);
		int paths = 0;
		while (retrains.find()) {
			paths++;
			// M x,y then H x V y per period: every command has its numbers
			assertThat(retrains.group(1)).matches("M[0-9.]+,[0-9.]+(H[0-9.]+V[0-9.]+){3}");
		}
		assertThat(paths).isEqualTo(2);
		assertThat(count(chart, "class=\"raw\"")).isEqualTo(2);
		assertThat(chart).as("no rolling mean of one period")
			.doesNotContain("rolling mean of 1 ")
			.doesNotContain("class=\"rolling\"");
		Matcher x = Pattern.compile("<g class=\"x-ticks\"[^>]*>(.*?)</g>").matcher(chart);
		assertThat(x.find()).isTrue();
		assertThat(x.group(1)).contains(">2020-01-01<").contains(">2020-01-04<");
		Matcher y = Pattern.compile("<g class=\"y-ticks\"[^>]*>(.*?)</g>").matcher(chart);
		assertThat(y.find()).isTrue();
		assertThat(count(y.group(1), "<text")).isGreaterThanOrEqualTo(4);
		assertThat(chart).contains(">never: mean").contains(">weekly: mean");
	}

	@Test
	void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
		assertThat(ReportWriter.niceStep(0.037)).isCloseTo(0.05, offset(1e-12));
		assertThat(ReportWriter.niceStep(0.12)).isCloseTo(0.1, offset(1e-12));
		assertThat(ReportWriter.niceStep(2.4)).isCloseTo(2, offset(1e-12));
		assertThat(ReportWriter.niceStep(8)).isCloseTo(10, offset(1e-12));
	}

	@Test
	void aPolicysDriftSectionIsShownLineByLine() {
		String yaml = "signals:\n  - input\n  - prediction\ncooldown-hours: 2160";
		BacktestPolicy drift = new BacktestPolicy("d", BacktestPolicy.Type.DRIFT, null, yaml, 0);
		BacktestReport report = new BacktestReport("p", "roc_auc", 1, 30, START, START.plusDays(9),
				List.of(policy(drift.name(), drift.describe(), 10, 5)), List.of(), 0);

		String html = ReportWriter.html(report);

		assertThat(drift.describe()).isEqualTo("drift-triggered:\n" + yaml);
		assertThat(html).contains("white-space:pre-wrap\">drift-triggered:\nsignals:\n  - input\n  - prediction\n");
	}

	private static int count(String s, String what) {
		int n = 0;
		for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
			n++;
		}
		return n;
	}

}

package dev.retrain.orchestrator.console;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleFormatTests {

	private final ConsoleFormat format = new ConsoleFormat();

	@Test
	void numbersHaveFourSignificantDigitsAndCountsAreIntegers() {
		assertThat(this.format.num(0.7163480219573464)).isEqualTo("0.7163");
		assertThat(this.format.num(-0.00041234)).isEqualTo("-0.0004123");
		assertThat(this.format.num(12.34567)).isEqualTo("12.35");
		assertThat(this.format.num(1234.5678)).isEqualTo("1235");
		assertThat(this.format.num(10417.0)).isEqualTo("10417");
		assertThat(this.format.num(null)).isEmpty();
		assertThat(this.format.metric("rows", 10417.0)).isEqualTo("10417");
		assertThat(this.format.metric("roc_auc", 0.71034)).isEqualTo("0.7103");
		assertThat(this.format.delta(0.0012)).isEqualTo("+0.0012");
	}

	@Test
	void aDifferenceIsBetterOrWorseByTheMetricsDirection() {
		// the example: -0.0004 on log_loss is better, -0.0001 on roc_auc worse
		assertThat(this.format.verdict("log_loss", -0.0004)).isEqualTo("better");
		assertThat(this.format.verdict("roc_auc", -0.0001)).isEqualTo("worse");
		assertThat(this.format.verdict("rmse", 0.2)).isEqualTo("worse");
		assertThat(this.format.verdict("accuracy", 0.0)).isEqualTo("same");
		assertThat(this.format.verdict("rows", 10.0)).as("a count has no direction").isEmpty();
		assertThat(this.format.cue("log_loss", -0.0004)).isEqualTo("\u25B2 better");
		assertThat(this.format.direction("mae")).isEqualTo("lower is better");
	}

}

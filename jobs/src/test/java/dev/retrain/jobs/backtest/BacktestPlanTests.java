package dev.retrain.jobs.backtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.backtest.BacktestPlan.Span;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.generator.SampleDataSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Planning a backtest: periods from dates, the train-once baseline, and what the data's
 * partitions decide.
 */
class BacktestPlanTests {

	static final LocalDate JAN_1 = LocalDate.parse("2024-01-01");

	@TempDir
	Path dataDir;

	@Test
	void periodsAreWholeAndFollowTheWarmup() {
		// warm-up Jan 1 to Jan 10; three whole weeks fit up to Jan 31
		assertThat(BacktestPlan.periods(JAN_1, LocalDate.parse("2024-01-31"), 10, 7)).containsExactly(
				span("2024-01-11", "2024-01-17"), span("2024-01-18", "2024-01-24"), span("2024-01-25", "2024-01-31"));
		// a day short: the last week is partial and left out
		assertThat(BacktestPlan.periods(JAN_1, LocalDate.parse("2024-01-30"), 10, 7))
			.containsExactly(span("2024-01-11", "2024-01-17"), span("2024-01-18", "2024-01-24"));
		assertThat(BacktestPlan.periods(JAN_1, LocalDate.parse("2024-01-12"), 10, 1))
			.containsExactly(span("2024-01-11", "2024-01-11"), span("2024-01-12", "2024-01-12"));
		// across a leap day
		assertThat(BacktestPlan.periods(LocalDate.parse("2024-02-01"), LocalDate.parse("2024-03-04"), 28, 5))
			.containsExactly(span("2024-02-29", "2024-03-04"));
	}

	@Test
	void noPeriodFitsWhenTheWarmupTakesTheHistory() {
		assertThat(BacktestPlan.periods(JAN_1, LocalDate.parse("2024-01-10"), 10, 1)).isEmpty();
		assertThat(BacktestPlan.periods(JAN_1, LocalDate.parse("2024-01-16"), 10, 7)).isEmpty();
		assertThat(BacktestPlan.warmupEnd(JAN_1, 10)).isEqualTo(LocalDate.parse("2024-01-10"));
	}

	@Test
	void trainOnceIsAddedFirstUnlessANeverPolicyWasAskedFor() {
		BacktestPolicy yearly = new BacktestPolicy("yearly", BacktestPolicy.Type.SCHEDULE, "0 0 0 1 1 ?", "", 0.25);
		assertThat(BacktestPlan.withTrainOnce(List.of(yearly))).extracting(BacktestPolicy::name)
			.containsExactly(Backtester.TRAIN_ONCE, "yearly");
		assertThat(BacktestPlan.withTrainOnce(List.of(yearly)).get(0).type()).isEqualTo(BacktestPolicy.Type.NEVER);
		BacktestPolicy named = new BacktestPolicy(Backtester.TRAIN_ONCE, BacktestPolicy.Type.FIXED_PSI, null, "", 0.25);
		assertThat(BacktestPlan.withTrainOnce(List.of(named))).extracting(BacktestPolicy::name)
			.containsExactly(Backtester.TRAIN_ONCE + "-baseline", Backtester.TRAIN_ONCE);
		assertThat(BacktestPlan.withTrainOnce(List.of(yearly, BacktestPolicy.never("never"))))
			.extracting(BacktestPolicy::name)
			.containsExactly("yearly", "never");
	}

	@Test
	void withoutDatesTheHistoryIsTheDataPartitions() throws Exception {
		new SampleDataGenerator().write(this.dataDir.resolve("history"), SampleDataSpec.stable(JAN_1, 30, 20, 3));

		BacktestPlan plan = BacktestPlan.of(request(null, null, 7, 10));

		assertThat(plan.data()).isEqualTo(this.dataDir.resolve("history").toAbsolutePath().normalize());
		assertThat(plan.from()).isEqualTo(JAN_1);
		assertThat(plan.to()).isEqualTo(LocalDate.parse("2024-01-30"));
		assertThat(plan.warmupEnd()).isEqualTo(LocalDate.parse("2024-01-10"));
		assertThat(plan.periods()).containsExactly(span("2024-01-11", "2024-01-17"), span("2024-01-18", "2024-01-24"));
		assertThat(plan.policies()).extracting(BacktestPolicy::name).containsExactly(Backtester.TRAIN_ONCE);
		assertThat(
				BacktestPlan.of(request(LocalDate.parse("2024-01-05"), LocalDate.parse("2024-01-28"), 4, 10)).periods())
			.containsExactly(span("2024-01-15", "2024-01-18"), span("2024-01-19", "2024-01-22"),
					span("2024-01-23", "2024-01-26"));
	}

	@Test
	void aRequestTheDataCannotServeIsRefused() throws Exception {
		assertThatThrownBy(() -> BacktestPlan.of(request(null, null, 7, 10)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageStartingWith("the pipeline's data: ")
			.hasMessageContaining("data directory does not exist");
		Files.createDirectories(this.dataDir.resolve("history"));
		assertThatThrownBy(() -> BacktestPlan.of(request(null, null, 7, 10)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageStartingWith("no day partitions (dt=YYYY-MM-DD) under");
		new SampleDataGenerator().write(this.dataDir.resolve("history"), SampleDataSpec.stable(JAN_1, 30, 20, 3));
		assertThatThrownBy(() -> BacktestPlan.of(request(null, null, 0, 10)))
			.hasMessage("period-days and warmup-days must be at least 1, got 0 and 10");
		assertThatThrownBy(() -> BacktestPlan.of(request(null, null, 7, 25)))
			.hasMessage("no whole 7-day period after 25 days of warm-up between 2024-01-01 and 2024-01-30");
	}

	private Backtester.Request request(LocalDate from, LocalDate to, int periodDays, int warmupDays) {
		return new Backtester.Request(PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, ""),
				this.dataDir, this.dataDir.resolve("work"), from, to, periodDays, warmupDays, List.of());
	}

	private static Span span(String start, String end) {
		return new Span(LocalDate.parse(start), LocalDate.parse(end));
	}

}

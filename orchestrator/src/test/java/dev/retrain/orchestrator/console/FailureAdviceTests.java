package dev.retrain.orchestrator.console;

import java.time.LocalDate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FailureAdviceTests {

	private static final LocalDate AS_OF = LocalDate.parse("2024-03-20");

	@Test
	void noDataInTheWindowNeedsNewDataOrAnotherAsOfNotARestart() {
		FailureAdvice advice = FailureAdvice.of("FAILED", "step 'snapshot' failed: file <data-dir>/sample: no Parquet "
				+ "files in the window 2024-03-14 .. 2024-03-20 (partitions present: none)", AS_OF);
		assertThat(advice.restartHelps()).isFalse();
		assertThat(advice.advice()).contains("2024-03-20").contains("as-of date").contains("add partitions");
	}

	@Test
	void dataThatFailedItsChecksNeedsAFixNotARestart() {
		assertThat(FailureAdvice.of("FAILED", "file a.parquet, column 'plan': 40% missing", AS_OF).restartHelps())
			.isFalse();
		assertThat(
				FailureAdvice
					.of("FAILED",
							"the window holds 9000000 rows; one run takes at most 5000000 "
									+ "(shorten data.window-days)",
							AS_OF)
					.advice())
			.contains("data.window-days");
	}

	@Test
	void aStoppedRunOrAPassingCauseMayBeRestartedAndACompletedRunHasNoAdvice() {
		assertThat(FailureAdvice.of("STOPPED", null, AS_OF).restartHelps()).isTrue();
		assertThat(
				FailureAdvice.of("FAILED", "the model store is unavailable: connection refused", AS_OF).restartHelps())
			.isTrue();
		assertThat(FailureAdvice.of("COMPLETED", null, AS_OF)).isNull();
	}

}

package dev.retrain.orchestrator.backtest;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.backtest.BacktestReport;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleProgressTests {

	/** A clock the test moves. */
	static final class Manual extends Clock {

		final AtomicLong millis = new AtomicLong(1_000_000);

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return Instant.ofEpochMilli(this.millis.get());
		}

	}

	@Test
	void theCommandsTableHasARowPerPolicyAndLabelDelayWithTheDelayInAColumn() {
		List<BacktestReport.PolicyResult> policies = List.of(result("monthly-or-drift.delay-0", 0.87, 0),
				result("monthly-or-drift.delay-1", 0.85, 1), result("monthly-or-drift.delay-3", 0.81, 3));
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		Commands.table(
				new BacktestReport("p", "accuracy", 5, 30, null, null, policies,
						List.of(new BacktestReport.Baseline("previous period's majority class", 0.6, List.of())), 0),
				new PrintStream(bytes, true, StandardCharsets.UTF_8));
		List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
		assertThat(lines.get(0)).startsWith("policy ").endsWith("labels late");
		assertThat(lines.subList(1, 4)).satisfiesExactly(
				l -> assertThat(l).startsWith("monthly-or-drift.delay-0     0.8700 ").endsWith(" 0"),
				l -> assertThat(l).startsWith("monthly-or-drift.delay-1     0.8500 ").endsWith(" 1"),
				l -> assertThat(l).startsWith("monthly-or-drift.delay-3     0.8100 ").endsWith(" 3"));
		assertThat(lines.get(4)).startsWith("baseline ").contains("0.6000");
	}

	private static BacktestReport.PolicyResult result(String name, double mean, int delay) {
		return new BacktestReport.PolicyResult(name, "", mean, 10, 2, 1, 100, 1000, 0, 0, 2000, List.of(), List.of(),
				delay);
	}

	@Test
	void withoutATerminalAPlainLineAtMostEveryIntervalWithRateAndTimeLeftAndOneAtTheEnd() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		Manual clock = new Manual();
		try (ConsoleProgress p = ConsoleProgress.lines("policy drift", "periods", 600,
				new PrintStream(bytes, true, StandardCharsets.UTF_8), clock, Duration.ofSeconds(10))) {
			for (int done = 1; done <= 600; done++) {
				clock.millis.addAndGet(100);
				p.stepTo(done);
			}
		}
		String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
		// 60 s of work: a line every 10 s, and the last one
		assertThat(lines).hasSize(7);
		assertThat(lines[0]).isEqualTo("policy drift: 100/600 periods (16.7%), 10.0 periods/s, 50s left");
		assertThat(lines[4]).isEqualTo("policy drift: 500/600 periods (83.3%), 10.0 periods/s, 10s left");
		assertThat(lines[6]).isEqualTo("policy drift: 600/600 periods (100.0%), 10.0 periods/s, took 1m00s");
	}

	@Test
	void onATerminalABarWithRateAndTimes() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ConsoleProgress p = ConsoleProgress.bar("import", "rows", 40,
				new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
			p.stepTo(40);
		}
		String out = bytes.toString(StandardCharsets.UTF_8);
		assertThat(out).contains("import").contains("100%").contains("40/40").contains("rows/s");
	}

	@Test
	void importCsvOutsideATerminalPrintsProgressLinesAndTheSummary(@TempDir Path dir) throws Exception {
		StringBuilder csv = new StringBuilder("x,label\n");
		for (int i = 0; i < 300; i++) {
			csv.append(i).append(',').append(i % 2).append('\n');
		}
		Path file = Files.writeString(dir.resolve("in.csv"), csv);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		Commands.importCsv(List.of("--csv=" + file, "--out=" + dir.resolve("out"), "--rows-per-day=10"),
				new PrintStream(bytes, true, StandardCharsets.UTF_8));
		assertThat(bytes.toString(StandardCharsets.UTF_8)).containsPattern("import: 300/300 rows \\(100\\.0%\\)")
			.contains("wrote 30 day partitions (300 rows)");
		assertThat(Files.list(dir.resolve("out")).count()).isEqualTo(30);
	}

}

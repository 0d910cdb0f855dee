package dev.retrain.orchestrator.backtest;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of one long task of a command: on a terminal, a bar with the rate and the time
 * left (me.tongfei:progressbar); otherwise (a log file, a CI console) a plain line at
 * most every {@code interval}, and one at the end, with the same figures.
 */
final class ConsoleProgress implements AutoCloseable {

	private final ProgressBar bar;

	private final PrintStream out;

	private final Clock clock;

	private final Duration interval;

	private final String task;

	private final String unit;

	private final long total;

	private final long startedMillis;

	private long lastLineMillis;

	private long done;

	private ConsoleProgress(ProgressBar bar, PrintStream out, Clock clock, Duration interval, String task, String unit,
			long total) {
		this.bar = bar;
		this.out = out;
		this.clock = clock;
		this.interval = interval;
		this.task = task;
		this.unit = unit;
		this.total = total;
		this.startedMillis = clock.millis();
		this.lastLineMillis = this.startedMillis;
	}

	/**
	 * A bar when {@code out} is standard output and that is a terminal, plain lines every
	 * 10 s otherwise.
	 */
	static ConsoleProgress start(String task, String unit, long total, PrintStream out) {
		return (out == System.out && System.console() != null) ? bar(task, unit, total, out)
				: lines(task, unit, total, out, Clock.systemUTC(), Duration.ofSeconds(10));
	}

	static ConsoleProgress bar(String task, String unit, long total, PrintStream out) {
		ProgressBar bar = new ProgressBarBuilder().setTaskName(task)
			.setInitialMax(total)
			.setUnit(" " + unit, 1)
			.showSpeed()
			.setStyle(ProgressBarStyle.ASCII)
			.setUpdateIntervalMillis(250)
			.setConsumer(new ConsoleProgressBarConsumer(out))
			.build();
		return new ConsoleProgress(bar, out, Clock.systemUTC(), Duration.ZERO, task, unit, total);
	}

	static ConsoleProgress lines(String task, String unit, long total, PrintStream out, Clock clock,
			Duration interval) {
		return new ConsoleProgress(null, out, clock, interval, task, unit, total);
	}

	/** {@code done} of the total are done. */
	void stepTo(long done) {
		this.done = done;
		if (this.bar != null) {
			this.bar.stepTo(done);
			return;
		}
		long now = this.clock.millis();
		if (now - this.lastLineMillis >= this.interval.toMillis()) {
			this.lastLineMillis = now;
			this.out.println(line(now));
		}
	}

	/** The plain line: done of total, share, rate and time left at that rate. */
	String line(long nowMillis) {
		double seconds = Math.max(1e-3, (nowMillis - this.startedMillis) / 1000.0);
		double rate = this.done / seconds;
		String left = (rate > 0 && this.done < this.total)
				? String.format(Locale.ROOT, ", %s left", human((long) ((this.total - this.done) / rate)))
				: (this.done >= this.total) ? String.format(Locale.ROOT, ", took %s", human((long) seconds)) : "";
		return String.format(Locale.ROOT, "%s: %d/%d %s (%.1f%%), %.1f %s/s%s", this.task, this.done, this.total,
				this.unit, (this.total > 0) ? 100.0 * this.done / this.total : 100.0, rate, this.unit, left);
	}

	private static String human(long seconds) {
		return (seconds >= 3600) ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60)
				: (seconds >= 60) ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
	}

	@Override
	public void close() {
		if (this.bar != null) {
			this.bar.close();
		}
		else {
			this.out.println(line(this.clock.millis()));
		}
	}

}

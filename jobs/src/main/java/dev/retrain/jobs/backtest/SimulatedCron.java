package dev.retrain.jobs.backtest;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.TimeZone;

import org.quartz.CronExpression;

/**
 * Quartz's cron parser in simulated time. Quartz computes no fire time before 1970 (asked
 * for the next fire after a date in 1950, it answers 1970-01-01), and history can be
 * older than that. Between 1901 and 2099 every fourth year is a leap year, so the
 * calendar repeats every 28 years (10,227 days, a whole number of weeks): a time before
 * 1971 is moved forward by whole 28-year cycles for Quartz, and its answer moved back.
 * Every fire time, weekday and leap day included, is the one the expression means. Before
 * 1901 (1900 was not a leap year) schedules are refused.
 */
final class SimulatedCron {

	private static final int CYCLE_YEARS = 28;

	private final CronExpression cron;

	private SimulatedCron(CronExpression cron) {
		this.cron = cron;
	}

	static SimulatedCron parse(String expression) {
		try {
			CronExpression c = new CronExpression(expression);
			c.setTimeZone(TimeZone.getTimeZone("UTC"));
			return new SimulatedCron(c);
		}
		catch (ParseException ex) {
			throw new IllegalArgumentException("policy cron '" + expression + "': " + ex.getMessage(), ex);
		}
	}

	/**
	 * The first fire time strictly after {@code after}, or null when the expression never
	 * fires again.
	 */
	Instant nextAfter(Instant after) {
		int year = after.atOffset(ZoneOffset.UTC).getYear();
		if (year < 1901) {
			throw new IllegalArgumentException(
					"schedule policies need history from 1901 on (Quartz's calendar), got " + after);
		}
		int cycles = (year < 1971) ? (1971 - year + CYCLE_YEARS - 1) / CYCLE_YEARS : 0;
		Instant shifted = after.atOffset(ZoneOffset.UTC).plusYears((long) CYCLE_YEARS * cycles).toInstant();
		Date next = this.cron.getNextValidTimeAfter(Date.from(shifted));
		return (next == null) ? null
				: next.toInstant().atOffset(ZoneOffset.UTC).minusYears((long) CYCLE_YEARS * cycles).toInstant();
	}

	/**
	 * The last fire time in ({@code after}, {@code now}], or null when the schedule did
	 * not fire in between.
	 */
	Instant lastFireBetween(Instant after, Instant now) {
		Instant last = null;
		for (Instant next = nextAfter(after); next != null && !next.isAfter(now); next = nextAfter(next)) {
			last = next;
		}
		return last;
	}

}

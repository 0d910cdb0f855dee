package dev.retrain.jobs.backtest;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * When a replay's labels arrive: a period's labels arrive {@code periods} whole periods
 * after it ends. At a decision point (the start of the day after {@code lastDay}, the
 * last day of a period or of the warm-up) every row up to {@code lastDay} is there as
 * input, but only the rows up to {@link #labelsUntil} carry labels. So a retrain trains
 * (and its promotion evaluates) on the window ending at {@code labelsUntil}, and a drift
 * check's performance part scores only the current window's rows up to that day; its
 * input and prediction signals still see the whole window. The scoring of each period
 * (the evaluation) is not delayed. The replay takes every date that needs labels from
 * here, for every policy.
 */
record LabelDelay(int periods, int periodDays) {

	/** The field of a policy file that sets it. */
	static final String FIELD = "label-delay-periods";

	LabelDelay {
		if (periods < 0) {
			throw new IllegalArgumentException(FIELD + " must be 0 or more, got " + periods);
		}
	}

	/**
	 * The last day whose labels are known at the decision point after {@code lastDay}.
	 */
	LocalDate labelsUntil(LocalDate lastDay) {
		return lastDay.minusDays((long) this.periods * this.periodDays);
	}

	/**
	 * Why a delay leaves the warm-up's training without labels, or null when it does not:
	 * the first champion needs at least one labelled day.
	 */
	static String tooLong(int periods, int periodDays, int warmupDays) {
		if ((long) periods * periodDays < warmupDays) {
			return null;
		}
		return periods + " periods of " + periodDays + " days (" + ((long) periods * periodDays)
				+ " days) leave no labelled day of the " + warmupDays + "-day warm-up to train the first champion on";
	}

	/**
	 * The delays a report shows for a policy file's {@code label-delay-periods: n}: 0, 1
	 * and n, each once, in order; only 0 when it is not set.
	 */
	static List<Integer> shown(Integer n) {
		if (n == null) {
			return List.of(0);
		}
		return new ArrayList<>(new TreeSet<>(List.of(0, 1, n)));
	}

	/** A policy's name in the report at a delay, when the file sets one. */
	static String name(String policy, int periods) {
		return policy + ".delay-" + periods;
	}

}

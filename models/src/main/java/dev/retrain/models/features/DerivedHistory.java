package dev.retrain.models.features;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.retrain.models.features.PeriodStats.Sum;

/**
 * The periods a derived feature looks back on, oldest first, one {@link PeriodStats} per
 * day. Built from labelled rows of earlier periods ({@link DerivedFeatures#history}),
 * added up across parts of one period, and cut to the last periods a model needs to serve
 * ({@link #last}).
 */
public record DerivedHistory(List<PeriodStats> periods) {

	public DerivedHistory {
		TreeMap<Integer, PeriodStats> byDay = new TreeMap<>();
		if (periods != null) {
			for (PeriodStats p : periods) {
				byDay.merge(p.day(), p, DerivedHistory::add);
			}
		}
		periods = List.copyOf(byDay.values());
	}

	public static final DerivedHistory EMPTY = new DerivedHistory(List.of());

	/** The periods of both, those of one day added up (parts of one period). */
	public DerivedHistory plus(DerivedHistory other) {
		List<PeriodStats> all = new ArrayList<>(this.periods);
		all.addAll(other.periods);
		return new DerivedHistory(all);
	}

	/**
	 * These periods, and those of {@code fallback} for the days these do not have (the
	 * state stored with a model, for days whose data is not at hand).
	 */
	public DerivedHistory orElse(DerivedHistory fallback) {
		Map<Integer, PeriodStats> byDay = new TreeMap<>();
		fallback.periods.forEach(p -> byDay.put(p.day(), p));
		this.periods.forEach(p -> byDay.put(p.day(), p));
		return new DerivedHistory(new ArrayList<>(byDay.values()));
	}

	/** The periods of days {@code lastDay - count + 1 .. lastDay}. */
	public DerivedHistory last(int count, int lastDay) {
		return new DerivedHistory(
				this.periods.stream().filter(p -> p.day() <= lastDay && p.day() > lastDay - count).toList());
	}

	/** The periods before {@code day}. */
	public DerivedHistory before(int day) {
		return new DerivedHistory(this.periods.stream().filter(p -> p.day() < day).toList());
	}

	/**
	 * These periods with the labels of those after {@code day} left out (not yet known):
	 * their label rates count nothing, their context columns stay.
	 */
	public DerivedHistory labelsThrough(int day) {
		return new DerivedHistory(this.periods.stream()
			.map(p -> (p.day() <= day) ? p : new PeriodStats(p.day(), null, null, p.columns()))
			.toList());
	}

	/** The newest period's day, or null without periods. */
	public Integer lastDay() {
		return this.periods.isEmpty() ? null : this.periods.get(this.periods.size() - 1).day();
	}

	/** The period of {@code day}, or null: a binary search of the periods (by day). */
	PeriodStats at(int day) {
		int lo = 0;
		int hi = this.periods.size() - 1;
		while (lo <= hi) {
			int mid = (lo + hi) >>> 1;
			int d = this.periods.get(mid).day();
			if (d < day) {
				lo = mid + 1;
			}
			else if (d > day) {
				hi = mid - 1;
			}
			else {
				return this.periods.get(mid);
			}
		}
		return null;
	}

	private static PeriodStats add(PeriodStats a, PeriodStats b) {
		Map<String, Map<String, Sum>> byKey = new HashMap<>();
		for (PeriodStats p : List.of(a, b)) {
			p.labelByKey().forEach((key, values) -> {
				Map<String, Sum> into = byKey.computeIfAbsent(key, k -> new HashMap<>());
				values.forEach((v, s) -> into.merge(v, s, Sum::plus));
			});
		}
		Map<String, Sum> columns = new HashMap<>(a.columns());
		b.columns().forEach((c, s) -> columns.merge(c, s, Sum::plus));
		return new PeriodStats(a.day(), a.label().plus(b.label()), byKey, columns);
	}

}

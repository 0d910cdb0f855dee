package dev.retrain.orchestrator.console;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.retrain.jobs.scoring.RealisedVersions;

/**
 * The champion against its shadows on realised metrics, for the pipeline page: per
 * labelled day (newest first) the served version's realised metric and each shadow's,
 * with its difference and whether it won the day; and per version a sparkline of its
 * realised metric over the days, oldest first.
 */
public record ShadowBoard(String metric, List<Day> days, List<Integer> shadows, Map<String, String> sparklines) {

	/**
	 * One labelled day: what was served and how each shadow did ({@code null}: not
	 * scored).
	 */
	public record Day(LocalDate day, RealisedVersions.Row served, Map<Integer, RealisedVersions.Row> shadows) {

		/** Why a shadow won or lost the day (its comparison's verdict), or empty. */
		public String verdict(int version) {
			RealisedVersions.Row r = this.shadows.get(version);
			return (r != null && r.verdict() != null) ? r.verdict() : "";
		}

		/** A shadow's cell: its metric, the difference, and won or not. */
		public String cell(int version) {
			RealisedVersions.Row r = this.shadows.get(version);
			if (r == null) {
				return "";
			}
			String value = (r.value() != null) ? String.format(Locale.ROOT, "%.4f", r.value()) : "not measured";
			if (r.difference() == null) {
				return value;
			}
			return value + String.format(Locale.ROOT, " (%+.4f, %s)", r.difference(),
					Boolean.TRUE.equals(r.won()) ? "won" : "lost");
		}

	}

	/** The board of {@code rows} (any order), or null when no day had a shadow. */
	static ShadowBoard of(List<RealisedVersions.Row> rows) {
		Map<LocalDate, RealisedVersions.Row> served = new TreeMap<>();
		Map<LocalDate, Map<Integer, RealisedVersions.Row>> shadows = new TreeMap<>();
		TreeSet<Integer> versions = new TreeSet<>();
		String metric = null;
		for (RealisedVersions.Row r : rows) {
			if (r.scoredAs() == RealisedVersions.ScoredAs.SERVED) {
				served.put(r.day(), r);
				metric = (metric != null) ? metric : r.metric();
			}
			else if (r.scoredAs() == RealisedVersions.ScoredAs.SHADOW) {
				shadows.computeIfAbsent(r.day(), d -> new TreeMap<>()).put(r.version(), r);
				versions.add(r.version());
			}
		}
		if (versions.isEmpty()) {
			return null;
		}
		List<Day> days = new ArrayList<>();
		TreeSet<LocalDate> all = new TreeSet<>(served.keySet());
		all.addAll(shadows.keySet());
		for (LocalDate d : all.descendingSet()) {
			days.add(new Day(d, served.get(d), shadows.getOrDefault(d, Map.of())));
		}
		// per column, its metric over the days, oldest first: "served" and each shadow
		Map<String, String> sparks = new LinkedHashMap<>();
		sparks.put("served", Svg.sparkline(series(days, d -> d.served()), 120, 24));
		for (int v : versions) {
			sparks.put("v" + v, Svg.sparkline(series(days, d -> d.shadows().get(v)), 120, 24));
		}
		return new ShadowBoard(metric, days, List.copyOf(versions), sparks);
	}

	private interface Pick {

		RealisedVersions.Row of(Day day);

	}

	private static List<Double> series(List<Day> newestFirst, Pick pick) {
		List<Day> oldestFirst = new ArrayList<>(newestFirst);
		oldestFirst.sort(Comparator.comparing(Day::day));
		List<Double> out = new ArrayList<>();
		for (Day d : oldestFirst) {
			RealisedVersions.Row r = pick.of(d);
			if (r != null && r.value() != null) {
				out.add(r.value());
			}
		}
		return out;
	}

}

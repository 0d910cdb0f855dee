package dev.retrain.models.features;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;

import org.junit.jupiter.api.Test;

import dev.retrain.models.dataset.Column;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.json.Json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DerivedFeaturesTests {

	private static final int DAYS = 12;

	private static final int ROWS_PER_DAY = 40;

	private static final DerivedFeatures DERIVED = new DerivedFeatures(
			List.of(DerivedFeature.labelRate("rate", null, 1, 1), DerivedFeature.labelRate("slot_rate", "slot", 1, 1),
					DerivedFeature.labelRate("rate_2_3", "period", 2, 3), DerivedFeature.context("x_ctx", "x", 1),
					DerivedFeature.context("x_ctx3", "x", 3)),
			"y", "yes");

	/**
	 * Period t's label is planted as a function of t (a share of positives that moves
	 * with t, different per slot), so any use of period t's or a later label in period
	 * t's features shows: changing every label of periods t.. must leave period t's
	 * derived values exactly as they were, for every t.
	 */
	@Test
	void noLabelOfAPeriodOrLaterReachesThatPeriodsFeatures() {
		Table table = stream(d -> false);
		double[][] before = derived(table);
		for (int t = 0; t < DAYS; t++) {
			int from = t;
			Table changed = stream(d -> d >= from);
			double[][] after = derived(changed);
			for (int f = 0; f < before.length; f++) {
				for (int r = 0; r < table.rows(); r++) {
					if (table.epochDays()[r] <= t) {
						assertThat(after[f][r])
							.as("feature %d row %d of day %d with labels from day %d changed", f, r,
									table.epochDays()[r], t)
							.isEqualTo(Double.valueOf(before[f][r]));
					}
				}
			}
			// and the change is seen from the next period on (the test can fail)
			if (t + 1 < DAYS) {
				assertThat(differs(before[0], derived(changed)[0], table, t + 1)).isTrue();
			}
		}
	}

	/**
	 * Days before 1970 have negative epoch days (1969-12-31 is -1): they are days like
	 * any other, not "no day". The same stream moved 20 years back has the same derived
	 * values, and they are present (weather data from 1950 had none before this was
	 * fixed).
	 */
	@Test
	void daysBefore1970AreDaysLikeAnyOther() {
		Table table = stream(d -> false);
		int shift = (int) java.time.LocalDate.of(1950, 1, 1).toEpochDay();
		int[] moved = table.epochDays().clone();
		for (int r = 0; r < moved.length; r++) {
			moved[r] += shift;
		}
		Map<String, Column> columns = new LinkedHashMap<>();
		table.columnNames().forEach(n -> columns.put(n, table.column(n)));
		Table old = new Table(columns, table.rows(), moved, table.segments());
		Table applied = DERIVED.apply(table, DERIVED.history(table), DAYS);
		Table appliedOld = DERIVED.apply(old, DERIVED.history(old), DAYS + shift);
		assertThat(DERIVED.history(old).periods()).hasSize(DAYS);
		for (String name : DERIVED.names()) {
			NumericColumn a = applied.numeric(name);
			NumericColumn b = appliedOld.numeric(name);
			int present = 0;
			for (int r = 0; r < table.rows(); r++) {
				assertThat(b.isNull(r)).as("%s row %d", name, r).isEqualTo(a.isNull(r));
				if (!a.isNull(r)) {
					assertThat(b.values()[r]).as("%s row %d", name, r).isEqualTo(a.values()[r]);
					present++;
				}
			}
			assertThat(present).as("%s present", name).isGreaterThan(table.rows() / 2);
		}
	}

	/** A period's own and later values of a context column do not move its mean. */
	@Test
	void contextIsTheValueMinusTheEarlierPeriodsMeanOnly() {
		Table table = stream(d -> false);
		Table shifted = withX(table, (d, x) -> (d >= 5) ? x + 100 : x);
		Table applied = DERIVED.apply(table, DERIVED.history(table), 0);
		Table appliedShifted = DERIVED.apply(shifted, DERIVED.history(shifted), 0);
		int[] days = table.epochDays();
		for (int r = 0; r < table.rows(); r++) {
			double ctx = applied.numeric("x_ctx").values()[r];
			double ctxShifted = appliedShifted.numeric("x_ctx").values()[r];
			if (days[r] < 5) {
				assertThat(ctxShifted).isEqualTo(ctx);
			}
			else if (days[r] == 5) {
				// the row's own value moved by 100, the previous period's mean did not
				assertThat(ctxShifted).isCloseTo(ctx + 100, within(1e-9));
			}
		}
		// exact: the mean of day 3's x
		double mean3 = 0;
		int n = 0;
		for (int r = 0; r < table.rows(); r++) {
			if (days[r] == 3) {
				mean3 += table.numeric("x").values()[r];
				n++;
			}
		}
		mean3 /= n;
		for (int r = 0; r < table.rows(); r++) {
			if (days[r] == 4) {
				assertThat(applied.numeric("x_ctx").values()[r]).isCloseTo(table.numeric("x").values()[r] - mean3,
						within(1e-9));
			}
		}
	}

	@Test
	void ratesAreThoseOfTheEarlierPeriodsOverallAndPerKey() {
		Table table = stream(d -> false);
		Table applied = DERIVED.apply(table, DERIVED.history(table), 0);
		int[] days = table.epochDays();
		String[] y = table.strings("y").values();
		String[] slot = table.strings("slot").values();
		for (int r = 0; r < table.rows(); r++) {
			int d = days[r];
			String s = slot[r];
			double rate = share(y, days, slot, dd -> dd == d - 1, null);
			double slotRate = share(y, days, slot, dd -> dd == d - 1, s);
			double rate23 = share(y, days, slot, dd -> dd >= d - 4 && dd <= d - 2, null);
			assertValue(applied, "rate", r, rate);
			assertValue(applied, "slot_rate", r, slotRate);
			assertValue(applied, "rate_2_3", r, rate23);
		}
		// the first periods have no earlier labels: missing, not zero
		assertThat(applied.numeric("rate").isNull(0)).isTrue();
	}

	/**
	 * Training computes a window's derived values from the window itself; scoring the
	 * newest day computes them from the state a model stores (after a JSON round trip, as
	 * in metadata.json) plus the day's rows, in slices: the values are the same.
	 */
	@Test
	void trainingAndScoringFromTheStoredStateGiveTheSameValues() {
		Table table = stream(d -> false);
		int last = DAYS - 1;
		Table trained = DERIVED.apply(table, DERIVED.history(table), 0);
		DerivedHistory upToYesterday = DERIVED.history(rows(table, d -> d < last));
		DerivedState state = Json.MAPPER.readValue(
				Json.MAPPER.writeValueAsString(DerivedState.of(DERIVED, upToYesterday, last - 1)), DerivedState.class);
		assertThat(state.history().periods()).hasSize(DERIVED.lookbackPeriods());
		assertThat(state.servingDay()).isEqualTo(last);
		Table today = rows(table, d -> d == last);
		// the day's rows without their day (as the champion client gets them), in two
		// slices, labels removed
		Table unlabelled = withoutDays(today);
		int half = unlabelled.rows() / 2;
		List<Table> slices = List.of(unlabelled.select(range(0, half)),
				unlabelled.select(range(half, unlabelled.rows())));
		List<Table> scored = new ArrayList<>();
		for (Table slice : slices) {
			scored.add(state.derived().apply(slice, state.history(), state.servingDay()));
		}
		Table served = Table.concat(scored);
		Table trainedToday = rows(trained, d -> d == last);
		for (String name : DERIVED.names()) {
			assertThat(served.numeric(name).values()).as(name).containsExactly(trainedToday.numeric(name).values());
		}
	}

	/**
	 * A backtest scores a period with only the labels known by then: cut after day 5, a
	 * row of day 7 has no rate of day 6 but still its context, and changing the labels
	 * after day 5 changes nothing.
	 */
	@Test
	void labelsNotYetKnownAreLeftOutButContextStays() {
		Table table = stream(d -> false);
		Table changed = stream(d -> d > 5);
		Table day7 = rows(table, d -> d == 7);
		Table applied = DERIVED.apply(day7, DERIVED.history(table).labelsThrough(5), 0);
		Table appliedChanged = DERIVED.apply(day7, DERIVED.history(changed).labelsThrough(5), 0);
		for (int r = 0; r < day7.rows(); r++) {
			assertThat(applied.numeric("rate").isNull(r)).isTrue();
			assertThat(applied.numeric("x_ctx").isNull(r)).isFalse();
			// the rate of days 3..5 (lag 2, 3 periods) is known
			assertThat(applied.numeric("rate_2_3").isNull(r)).isFalse();
		}
		for (String name : DERIVED.names()) {
			assertThat(appliedChanged.numeric(name).values()).containsExactly(applied.numeric(name).values());
		}
	}

	@Test
	void aLagBelowOnePeriodIsRefused() {
		assertThatThrownBy(() -> new DerivedFeatures(List.of(DerivedFeature.labelRate("r", null, 0, 1)), "y", "yes"))
			.hasMessageContaining("lag-periods must be >= 1");
	}

	private static void assertValue(Table applied, String name, int r, double expected) {
		if (Double.isNaN(expected)) {
			assertThat(applied.numeric(name).isNull(r)).as("%s row %d", name, r).isTrue();
		}
		else {
			assertThat(applied.numeric(name).values()[r]).as("%s row %d", name, r).isCloseTo(expected, within(1e-12));
		}
	}

	private static double share(String[] y, int[] days, String[] slot, IntPredicate day, String onlySlot) {
		int n = 0;
		int pos = 0;
		for (int r = 0; r < y.length; r++) {
			if (day.test(days[r]) && (onlySlot == null || onlySlot.equals(slot[r]))) {
				n++;
				pos += "yes".equals(y[r]) ? 1 : 0;
			}
		}
		return (n > 0) ? (double) pos / n : Double.NaN;
	}

	private static boolean differs(double[] a, double[] b, Table table, int day) {
		for (int r = 0; r < a.length; r++) {
			if (table.epochDays()[r] == day && Double.compare(a[r], b[r]) != 0) {
				return true;
			}
		}
		return false;
	}

	private static double[][] derived(Table table) {
		Table applied = DERIVED.apply(table, DERIVED.history(table), 0);
		List<String> names = DERIVED.names();
		double[][] out = new double[names.size()][];
		for (int f = 0; f < names.size(); f++) {
			NumericColumn c = applied.numeric(names.get(f));
			out[f] = new double[table.rows()];
			for (int r = 0; r < table.rows(); r++) {
				out[f][r] = c.isNull(r) ? Double.NaN : c.values()[r];
			}
		}
		return out;
	}

	/**
	 * {@code DAYS} periods of {@code ROWS_PER_DAY} rows: slot a or b, x around the day,
	 * and a label whose share of "yes" is planted per day and slot; on the days
	 * {@code flip} picks, every label is "yes".
	 */
	private static Table stream(IntPredicate flip) {
		Random random = new Random(5);
		int rows = DAYS * ROWS_PER_DAY;
		String[] slot = new String[rows];
		double[] x = new double[rows];
		String[] y = new String[rows];
		int[] days = new int[rows];
		for (int d = 0; d < DAYS; d++) {
			for (int i = 0; i < ROWS_PER_DAY; i++) {
				int r = d * ROWS_PER_DAY + i;
				days[r] = d;
				slot[r] = (i % 3 == 0) ? "a" : "b";
				x[r] = d * 2.0 + random.nextGaussian();
				double p = ("a".equals(slot[r]) ? 0.2 : 0.6) + 0.03 * d;
				boolean yes = random.nextDouble() < p;
				y[r] = (yes || flip.test(d)) ? "yes" : "no";
			}
		}
		Map<String, Column> columns = new LinkedHashMap<>();
		columns.put("slot", new StringColumn("slot", slot));
		columns.put("x", new NumericColumn("x", x, null));
		columns.put("y", new StringColumn("y", y));
		return new Table(columns, rows, days, List.of(new Table.Segment("stream", 0, rows)));
	}

	private interface XEdit {

		double apply(int day, double x);

	}

	private static Table withX(Table table, XEdit edit) {
		double[] x = table.numeric("x").values().clone();
		for (int r = 0; r < x.length; r++) {
			x[r] = edit.apply(table.epochDays()[r], x[r]);
		}
		Map<String, Column> columns = new LinkedHashMap<>();
		table.columnNames().forEach(n -> columns.put(n, table.column(n)));
		columns.put("x", new NumericColumn("x", x, null));
		return new Table(columns, table.rows(), table.epochDays(), table.segments());
	}

	private static Table withoutDays(Table table) {
		Map<String, Column> columns = new LinkedHashMap<>();
		table.columnNames().stream().filter(n -> !n.equals("y")).forEach(n -> columns.put(n, table.column(n)));
		int[] days = new int[table.rows()];
		java.util.Arrays.fill(days, Table.NO_DAY);
		return new Table(columns, table.rows(), days, table.segments());
	}

	private static Table rows(Table table, IntPredicate day) {
		List<Integer> picked = new ArrayList<>();
		for (int r = 0; r < table.rows(); r++) {
			if (day.test(table.epochDays()[r])) {
				picked.add(r);
			}
		}
		return table.select(picked.stream().mapToInt(Integer::intValue).toArray());
	}

	private static int[] range(int from, int to) {
		int[] out = new int[to - from];
		for (int i = 0; i < out.length; i++) {
			out[i] = from + i;
		}
		return out;
	}

}

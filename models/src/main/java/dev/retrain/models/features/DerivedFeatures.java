package dev.retrain.models.features;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.retrain.models.dataset.Column;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.PeriodStats.Sum;

/**
 * The one code path that computes derived features ({@link DerivedFeature}): training,
 * evaluation, batch scoring, the champion client and backtests all call {@link #history}
 * on labelled rows of earlier periods and {@link #apply} on the rows to score, so what a
 * model learnt from and what it is served cannot disagree.
 * <p>
 * {@link #apply} gives a row of period {@code d} only what the periods before {@code d}
 * say (at least {@code lag-periods} before it for a label rate): whatever the history
 * holds of period {@code d} or later is never read. A period is the row's day (its
 * {@code dt=} partition).
 */
public final class DerivedFeatures {

	private final List<DerivedFeature> features;

	private final String labelColumn;

	private final String positiveClass;

	/**
	 * @param labelColumn the label column, for label rates
	 * @param positiveClass a binary label's positive class, whose share is the rate; null
	 * for a regression label, whose mean is the rate
	 */
	public DerivedFeatures(List<DerivedFeature> features, String labelColumn, String positiveClass) {
		this.features = List.copyOf(features);
		this.labelColumn = labelColumn;
		this.positiveClass = positiveClass;
		for (DerivedFeature f : this.features) {
			if (f.periods() < 1) {
				throw new IllegalArgumentException(f.name() + ": periods must be >= 1");
			}
			if (f.kind() == DerivedFeature.Kind.LABEL_RATE && f.lagPeriods() < 1) {
				throw new IllegalArgumentException(
						f.name() + ": lag-periods must be >= 1: a period's own labels are not known when it is scored");
			}
		}
	}

	public List<DerivedFeature> features() {
		return this.features;
	}

	public String labelColumn() {
		return this.labelColumn;
	}

	public String positiveClass() {
		return this.positiveClass;
	}

	public boolean isEmpty() {
		return this.features.isEmpty();
	}

	public List<String> names() {
		return this.features.stream().map(DerivedFeature::name).toList();
	}

	/** The input columns the derived values need: key and context columns. */
	public List<String> inputColumns() {
		Set<String> columns = new LinkedHashSet<>();
		for (DerivedFeature f : this.features) {
			if (f.key() != null) {
				columns.add(f.key());
			}
			if (f.of() != null) {
				columns.add(f.of());
			}
		}
		return List.copyOf(columns);
	}

	/** The columns a history is built from: the input columns and the label. */
	public List<String> historyColumns() {
		List<String> columns = new ArrayList<>(inputColumns());
		if (this.features.stream().anyMatch(f -> f.kind() == DerivedFeature.Kind.LABEL_RATE)) {
			columns.add(this.labelColumn);
		}
		return columns;
	}

	/** How many periods back the oldest contributing period is. */
	public int lookbackPeriods() {
		return this.features.stream().mapToInt(DerivedFeature::oldestLag).max().orElse(0);
	}

	/**
	 * Each period's statistics of these rows (rows of an unknown day are left out; a
	 * label rate counts only rows with a label). Parts of one period add up
	 * ({@link DerivedHistory#plus}).
	 */
	public DerivedHistory history(Table rows) {
		if (rows.rows() == 0 || this.features.isEmpty()) {
			return DerivedHistory.EMPTY;
		}
		boolean rates = this.features.stream().anyMatch(f -> f.kind() == DerivedFeature.Kind.LABEL_RATE);
		Column label = (rates && rows.has(this.labelColumn)) ? rows.column(this.labelColumn) : null;
		List<NumericColumn> context = this.features.stream()
			.filter(f -> f.kind() == DerivedFeature.Kind.CONTEXT)
			.map(DerivedFeature::of)
			.distinct()
			.map(rows::numeric)
			.toList();
		Map<Integer, Acc> byDay = new HashMap<>();
		int[] days = rows.epochDays();
		if (days == null) {
			return DerivedHistory.EMPTY;
		}
		for (int r = 0; r < rows.rows(); r++) {
			if (days[r] == Table.NO_DAY) {
				continue;
			}
			Acc acc = byDay.computeIfAbsent(days[r], d -> new Acc());
			double y = (label != null) ? labelValue(label, r) : Double.NaN;
			if (!Double.isNaN(y)) {
				acc.label = acc.label.plus(new Sum(1, y));
				for (DerivedFeature f : this.features) {
					if (f.kind() == DerivedFeature.Kind.LABEL_RATE && f.key() != null) {
						String value = keyValue(rows.column(f.key()), r);
						acc.byKey.computeIfAbsent(f.key(), k -> new HashMap<>()).merge(value, new Sum(1, y), Sum::plus);
					}
				}
			}
			for (NumericColumn c : context) {
				if (!c.isNull(r) && Double.isFinite(c.values()[r])) {
					acc.columns.merge(c.name(), new Sum(1, c.values()[r]), Sum::plus);
				}
			}
		}
		List<PeriodStats> periods = new ArrayList<>();
		byDay.forEach((day, acc) -> periods.add(new PeriodStats(day, acc.label, acc.byKey, acc.columns)));
		return new DerivedHistory(periods);
	}

	/**
	 * The rows with a numeric column per derived feature appended (missing where the
	 * earlier periods say nothing), computed from {@code history}'s periods before each
	 * row's day only. A row of an unknown day ({@link Table#NO_DAY}, or a table without
	 * days) is taken to be of {@code defaultDay}.
	 */
	public Table apply(Table rows, DerivedHistory history, int defaultDay) {
		if (this.features.isEmpty()) {
			return rows;
		}
		Map<String, Column> columns = new LinkedHashMap<>();
		for (String name : rows.columnNames()) {
			columns.put(name, rows.column(name));
		}
		int[] days = rows.epochDays();
		for (DerivedFeature f : this.features) {
			double[] values = new double[rows.rows()];
			boolean[] nulls = new boolean[rows.rows()];
			Map<Integer, Window> windows = new HashMap<>();
			Column key = (f.key() != null) ? rows.column(f.key()) : null;
			NumericColumn of = (f.of() != null) ? rows.numeric(f.of()) : null;
			for (int r = 0; r < rows.rows(); r++) {
				int day = (days != null && days[r] != Table.NO_DAY) ? days[r] : defaultDay;
				Window w = windows.computeIfAbsent(day, d -> window(f, history, d));
				double v;
				if (f.kind() == DerivedFeature.Kind.CONTEXT) {
					boolean present = !of.isNull(r) && Double.isFinite(of.values()[r]);
					v = present ? of.values()[r] - w.overall.mean() : Double.NaN;
				}
				else if (key != null) {
					Sum s = w.byKey.get(keyValue(key, r));
					v = (s != null) ? s.mean() : Double.NaN;
				}
				else {
					v = w.overall.mean();
				}
				if (Double.isNaN(v)) {
					nulls[r] = true;
				}
				else {
					values[r] = v;
				}
			}
			columns.put(f.name(), new NumericColumn(f.name(), values, nulls));
		}
		return new Table(columns, rows.rows(), days, rows.segments());
	}

	/**
	 * What {@code f} sees for a row of {@code day}: the sums of the periods
	 * {@code day - oldestLag .. day - newestLag}, never {@code day} itself or later.
	 */
	private static Window window(DerivedFeature f, DerivedHistory history, int day) {
		Sum overall = Sum.ZERO;
		Map<String, Sum> byKey = new HashMap<>();
		for (int d = day - f.oldestLag(); d <= day - f.newestLag(); d++) {
			PeriodStats p = history.at(d);
			if (p == null) {
				continue;
			}
			if (f.kind() == DerivedFeature.Kind.CONTEXT) {
				overall = overall.plus(p.columns().getOrDefault(f.of(), Sum.ZERO));
			}
			else {
				overall = overall.plus(p.label());
				if (f.key() != null) {
					p.labelByKey().getOrDefault(f.key(), Map.of()).forEach((v, s) -> byKey.merge(v, s, Sum::plus));
				}
			}
		}
		return new Window(overall, byKey);
	}

	private double labelValue(Column label, int r) {
		if (label instanceof NumericColumn n) {
			return (n.isNull(r) || !Double.isFinite(n.values()[r])) ? Double.NaN : n.values()[r];
		}
		String v = ((StringColumn) label).values()[r];
		if (v == null) {
			return Double.NaN;
		}
		return v.equals(this.positiveClass) ? 1.0 : 0.0;
	}

	private static String keyValue(Column key, int r) {
		if (key.isNull(r)) {
			return "";
		}
		if (key instanceof NumericColumn n) {
			double v = n.values()[r];
			return (v == Math.rint(v) && Math.abs(v) < 1e15) ? Long.toString((long) v) : Double.toString(v);
		}
		return ((StringColumn) key).values()[r];
	}

	private record Window(Sum overall, Map<String, Sum> byKey) {
	}

	private static final class Acc {

		Sum label = Sum.ZERO;

		final Map<String, Map<String, Sum>> byKey = new HashMap<>();

		final Map<String, Sum> columns = new HashMap<>();

	}

}

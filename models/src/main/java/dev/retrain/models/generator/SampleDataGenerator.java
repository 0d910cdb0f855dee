package dev.retrain.models.generator;

import java.io.IOException;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import dev.retrain.models.dataset.ParquetTableWriter;

/**
 * Writes realistic daily Parquet partitions for the sample churn pipeline
 * ({@code <root>/dt=YYYY-MM-DD/part-0.parquet}): numeric features {@code tenure_days} (2%
 * missing), {@code monthly_spend}, {@code sessions}, {@code support_calls}, categorical
 * {@code plan} and {@code region}, and the label {@code churned} (0/1). Weekends have
 * fewer rows and more sessions. Each day's data derives from the seed and the day alone,
 * so a day is the same whenever it is written.
 */
public final class SampleDataGenerator {

	public static final List<String> NUMERIC = List.of("tenure_days", "monthly_spend", "sessions", "support_calls");

	public static final List<String> CATEGORICAL = List.of("plan", "region");

	public static final String LABEL = "churned";

	private static final String[] PLANS = { "basic", "plus", "pro" };

	private static final String[] REGIONS = { "north", "south", "east", "west" };

	public void write(Path root, SampleDataSpec spec) throws IOException {
		for (int d = 0; d < spec.days(); d++) {
			writeDay(root, spec, spec.start().plusDays(d));
		}
	}

	public void writeDay(Path root, SampleDataSpec spec, LocalDate day) throws IOException {
		SplittableRandom rnd = new SplittableRandom(spec.seed() * 1_000_003L + day.toEpochDay());
		boolean weekend = day.getDayOfWeek() == DayOfWeek.SATURDAY || day.getDayOfWeek() == DayOfWeek.SUNDAY;
		int n = (int) Math.round(spec.rowsPerDay() * (weekend ? 0.7 : 1.1) * (0.95 + 0.1 * rnd.nextDouble()));
		boolean shifted = spec.covariateShiftFrom() != null && !day.isBefore(spec.covariateShiftFrom());
		boolean drifted = spec.conceptDriftFrom() != null && !day.isBefore(spec.conceptDriftFrom());
		double shift = shifted ? spec.covariateShift() : 0.0;
		double[] tenure = new double[n];
		boolean[] tenureNull = new boolean[n];
		double[] spend = new double[n];
		double[] sessions = new double[n];
		double[] calls = new double[n];
		String[] plan = new String[n];
		String[] region = new String[n];
		int[] churned = new int[n];
		for (int i = 0; i < n; i++) {
			double u = rnd.nextDouble();
			// a covariate shift moves the plan mix towards "basic" as well as moving the
			// numbers
			int p = (u < 0.5 + 0.15 * Math.min(shift, 2.0)) ? 0 : (u < 0.85 + 0.05 * Math.min(shift, 2.0)) ? 1 : 2;
			plan[i] = PLANS[Math.min(p, 2)];
			region[i] = REGIONS[rnd.nextInt(REGIONS.length)];
			tenure[i] = Math.max(1, Math.exp(5.5 + 1.0 * gaussian(rnd)) * (1.0 - 0.3 * Math.min(shift, 2.0)));
			tenureNull[i] = rnd.nextDouble() < 0.02;
			spend[i] = Math.max(0, 20 + 25 * p + 8 * gaussian(rnd) + 10 * shift);
			sessions[i] = Math.max(0, Math.round((weekend ? 9 : 6) + 3 * gaussian(rnd) - 2 * shift));
			calls[i] = poisson(rnd, 0.6 + 0.4 * shift);
			double z = -1.0 - 0.35 * (Math.log(tenure[i]) - 5.5) - 0.25 * (sessions[i] - 6) / 3 + 0.8 * (calls[i] - 0.6)
					+ (p == 0 ? 0.4 : p == 2 ? -0.4 : 0.0);
			if (drifted) {
				// the same inputs now mean something else: spend drives churn, support
				// calls no longer do
				z = -1.0 + 0.06 * (spend[i] - 45) - 0.8 * (calls[i] - 0.6) + (p == 2 ? 0.8 : 0.0);
			}
			churned[i] = (rnd.nextDouble() < 1.0 / (1.0 + Math.exp(-z))) ? 1 : 0;
		}
		new ParquetTableWriter().doubles("tenure_days", tenure, tenureNull)
			.doubles("monthly_spend", spend)
			.doubles("sessions", sessions)
			.doubles("support_calls", calls)
			.strings("plan", plan)
			.strings("region", region)
			.ints(LABEL, churned)
			.write(root.resolve("dt=" + day).resolve("part-0.parquet"));
	}

	/**
	 * A wide table for benchmarks: {@code numeric} Gaussian features {@code x0..} (scales
	 * 1, 2, ...), {@code cat1} (8 values), {@code cat2} (100 values) and a 0/1 label
	 * {@code y} from a noisy linear rule, written as day partitions of {@code rowsPerDay}
	 * rows from {@code start} on. Returns the partition days.
	 */
	public List<LocalDate> writeWide(Path root, LocalDate start, long rows, int rowsPerDay, int numeric, long seed)
			throws IOException {
		return writeWide(root, start, rows, rowsPerDay, numeric, seed, CompressionCodecName.SNAPPY);
	}

	/** {@link #writeWide(Path, LocalDate, long, int, int, long)} with another codec. */
	public List<LocalDate> writeWide(Path root, LocalDate start, long rows, int rowsPerDay, int numeric, long seed,
			CompressionCodecName codec) throws IOException {
		return writeWide(root, start, rows, rowsPerDay, numeric, seed, codec, 128L << 20);
	}

	/**
	 * {@link #writeWide(Path, LocalDate, long, int, int, long, CompressionCodecName)}
	 * with row groups of about {@code rowGroupBytes}.
	 */
	public List<LocalDate> writeWide(Path root, LocalDate start, long rows, int rowsPerDay, int numeric, long seed,
			CompressionCodecName codec, long rowGroupBytes) throws IOException {
		List<LocalDate> days = new ArrayList<>();
		for (long done = 0; done < rows; done += rowsPerDay) {
			LocalDate day = start.plusDays(days.size());
			int n = (int) Math.min(rowsPerDay, rows - done);
			SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + day.toEpochDay());
			ParquetTableWriter w = new ParquetTableWriter();
			double[] z = new double[n];
			for (int c = 0; c < numeric; c++) {
				double[] v = new double[n];
				for (int i = 0; i < n; i++) {
					v[i] = gaussian(rnd) * (c + 1);
					z[i] += v[i] / (c + 1) * ((c % 3) - 1);
				}
				w.doubles("x" + c, v);
			}
			String[] cat1 = new String[n];
			String[] cat2 = new String[n];
			int[] y = new int[n];
			for (int i = 0; i < n; i++) {
				int a = rnd.nextInt(8);
				cat1[i] = "c" + a;
				cat2[i] = "k" + rnd.nextInt(100);
				y[i] = (z[i] + 0.5 * (a - 3.5) / 2 + gaussian(rnd) > 0) ? 1 : 0;
			}
			w.strings("cat1", cat1)
				.strings("cat2", cat2)
				.ints("y", y)
				.codec(codec)
				.rowGroupBytes(rowGroupBytes)
				.write(root.resolve("dt=" + day).resolve("part-0.parquet"));
			days.add(day);
		}
		return days;
	}

	private static double gaussian(SplittableRandom rnd) {
		double u1 = rnd.nextDouble();
		double u2 = rnd.nextDouble();
		return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
	}

	private static int poisson(SplittableRandom rnd, double lambda) {
		double l = Math.exp(-lambda);
		int k = 0;
		double p = 1;
		do {
			k++;
			p *= rnd.nextDouble();
		}
		while (p > l);
		return k - 1;
	}

}

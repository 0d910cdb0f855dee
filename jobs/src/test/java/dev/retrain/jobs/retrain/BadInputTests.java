package dev.retrain.jobs.retrain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.dataset.ParquetTableWriter;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each kind of bad input fails the run with a reason naming what and where, and loses
 * nothing.
 */
class BadInputTests extends RetrainTestSupport {

	private static boolean championTrained;

	@BeforeEach
	void trainAChampionOnce() {
		if (!championTrained) {
			sampleData(DATA_DIR, "guarded-good", 120, 11);
			definePipeline("guarded", yaml("guarded", "guarded-good", GOOD_MODEL, ""));
			RunRecord run = run("guarded", LAST, null);
			assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
			championTrained = true;
		}
	}

	static Stream<Arguments> badInputs() {
		return Stream.of(Arguments.of("missing-dir", LAST, "data directory does not exist"),
				Arguments.of("empty-window", LAST.plusDays(100), "no Parquet files in the window"),
				Arguments.of("corrupt", LAST, "not a readable Parquet file"),
				Arguments.of("missing-column", LAST, "column 'sessions': missing column"),
				Arguments.of("wrong-type", LAST, "column 'sessions': has type BINARY"),
				Arguments.of("nan", LAST, "column 'monthly_spend': 3 NaN/Inf value(s)"),
				Arguments.of("huge", LAST, "column 'monthly_spend': 2 value(s) beyond +-3.4028235E38"),
				Arguments.of("absurd", LAST,
						"column 'monthly_spend': 2 value(s) more than 1000.0 times its size outside champion v1's "
								+ "training range"),
				Arguments.of("scrambled", LAST, "corrupt"),
				Arguments.of("all-null", LAST, "column 'region': all 100 values are null"),
				Arguments.of("unseen-label", LAST, "unseen label value(s) [2]"),
				Arguments.of("empty-holdout", LAST.plusDays(5), "holdout 'recent' has 0 rows"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badInputs")
	void badInputFailsTheRunNamingWhatAndWhereAndLeavesTheChampionAndStoreAlone(String kind, LocalDate asOf,
			String expected) throws IOException {
		Path dir = DATA_DIR.resolve("bad-" + kind);
		if (!kind.equals("missing-dir")) {
			prepare(kind, dir);
		}
		List<ModelVersion> versionsBefore = this.registry.versions("guarded");
		definePipeline("guarded", yaml("guarded", "bad-" + kind, GOOD_MODEL, ""));

		RunRecord run = run("guarded", asOf, null);

		assertThat(run.status()).isEqualTo("FAILED");
		assertThat(run.failureReason()).contains(expected);
		assertThat(run.failureReason()).as("no server path")
			.doesNotContain(DATA_DIR.toAbsolutePath().normalize().toString());
		if (kind.equals("missing-dir")) {
			assertThat(run.failureReason()).contains("<data-dir>/bad-missing-dir");
		}
		if (!kind.equals("missing-dir") && !kind.startsWith("empty")) {
			assertThat(run.failureReason()).as("names the file").contains("dt=" + LAST);
		}
		assertThat(run.candidateVersion()).isNull();
		assertThat(this.registry.champion("guarded")).contains(1);
		assertThat(this.registry.versions("guarded")).isEqualTo(versionsBefore);
		try (Stream<Path> dirs = Files.list(this.store.root().resolve("guarded"))) {
			assertThat(dirs.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("1",
					dev.retrain.models.store.ModelStore.ALIASES);
		}
		assertThat(this.store.readAlias("guarded", "champion")).contains(1);
	}

	@Test
	void aFileLargerThanOneReadSliceIsCheckedAsOneFile() throws IOException {
		Path dir = DATA_DIR.resolve("bad-big-day");
		sampleData(DATA_DIR, dir.getFileName().toString(), 120, 13);
		int n = WindowPlan.SLICE_ROWS + 4_464;
		double[] spend = fill(n, 35.0);
		spend[66_000] = Double.NaN;
		String[] region = fill(n, "north");
		Arrays.fill(region, 0, WindowPlan.SLICE_ROWS, null);
		day(n, spend, region, null, Sessions.NUMERIC)
			.write(dir.resolve("dt=" + LAST.minusDays(8)).resolve("part-0.parquet"));
		definePipeline("guarded", yaml("guarded", "bad-big-day", GOOD_MODEL, ""));

		RunRecord run = run("guarded", LAST, null);

		assertThat(run.status()).isEqualTo("FAILED");
		assertThat(run.failureReason()).as("one report for the file, at its row")
			.contains("dt=" + LAST.minusDays(8))
			.contains("column 'monthly_spend': 1 NaN/Inf value(s) (first at row 66000)");
		assertThat(run.failureReason()).as("the second slice has regions: the file is not all null")
			.doesNotContain("values are null")
			.contains("column 'region': ");
		assertThat(this.registry.champion("guarded")).contains(1);
	}

	private static void prepare(String kind, Path dir) throws IOException {
		sampleData(DATA_DIR, dir.getFileName().toString(), 120, 12);
		Path last = dir.resolve("dt=" + LAST).resolve("part-0.parquet");
		switch (kind) {
			case "corrupt" -> {
				byte[] bytes = Files.readAllBytes(last);
				Files.write(last, Arrays.copyOf(bytes, bytes.length / 3));
			}
			case "missing-column" -> day(null, null, null, Sessions.OMITTED).write(last);
			case "wrong-type" -> day(null, null, null, Sessions.TEXT).write(last);
			case "nan" -> {
				double[] spend = new double[100];
				Arrays.fill(spend, 40.0);
				spend[7] = Double.NaN;
				spend[8] = Double.POSITIVE_INFINITY;
				spend[9] = Double.NaN;
				day(spend, null, null, Sessions.NUMERIC).write(last);
			}
			case "huge" -> {
				double[] spend = new double[100];
				Arrays.fill(spend, 40.0);
				spend[3] = 4.6e301;
				spend[4] = -1e300;
				day(spend, null, null, Sessions.NUMERIC).write(last);
			}
			case "absurd" -> {
				// a float can hold these, but they are six orders of magnitude beyond
				// anything the champion was trained on
				double[] spend = new double[100];
				Arrays.fill(spend, 40.0);
				spend[3] = 4.6e8;
				spend[4] = -3e9;
				day(spend, null, null, Sessions.NUMERIC).write(last);
			}
			case "scrambled" -> {
				// bytes of the pages scrambled, the footer intact: the pages' checksums
				// catch it
				byte[] bytes = Files.readAllBytes(last);
				java.util.Random random = new java.util.Random(5);
				for (int i = 100; i < Math.min(6000, bytes.length / 2); i++) {
					bytes[i] = (byte) random.nextInt();
				}
				Files.write(last, bytes);
			}
			case "all-null" -> day(null, new String[100], null, Sessions.NUMERIC).write(last);
			case "unseen-label" -> {
				int[] labels = new int[100];
				labels[5] = 2;
				day(null, null, labels, Sessions.NUMERIC).write(last);
			}
			case "empty-window", "empty-holdout" -> {
			}
			default -> throw new IllegalArgumentException(kind);
		}
	}

	/** How the {@code sessions} column is written in a bad day. */
	private enum Sessions {

		NUMERIC, OMITTED, TEXT

	}

	/** A day of 100 plausible rows; the given arrays replace a column. */
	private static ParquetTableWriter day(double[] spend, String[] region, int[] labels, Sessions sessions) {
		return day(100, spend, region, labels, sessions);
	}

	private static ParquetTableWriter day(int n, double[] spend, String[] region, int[] labels, Sessions sessions) {
		double[] tenure = new double[n];
		double[] count = new double[n];
		double[] calls = new double[n];
		int[] churned = (labels != null) ? labels : new int[n];
		for (int i = 0; i < n; i++) {
			tenure[i] = 100 + i;
			count[i] = i % 9;
			calls[i] = i % 3;
			if (labels == null) {
				churned[i] = (i % 4 == 0) ? 1 : 0;
			}
		}
		ParquetTableWriter w = new ParquetTableWriter().doubles("tenure_days", tenure)
			.doubles("monthly_spend", (spend != null) ? spend : fill(n, 35.0));
		switch (sessions) {
			case NUMERIC -> w.doubles("sessions", count);
			case TEXT -> w.strings("sessions", fill(n, "many"));
			case OMITTED -> {
			}
		}
		return w.doubles("support_calls", calls)
			.strings("plan", fill(n, "basic"))
			.strings("region", (region != null) ? region : fill(n, "north"))
			.ints("churned", churned);
	}

	private static double[] fill(int n, double v) {
		double[] a = new double[n];
		Arrays.fill(a, v);
		return a;
	}

	private static String[] fill(int n, String v) {
		String[] a = new String[n];
		Arrays.fill(a, v);
		return a;
	}

}

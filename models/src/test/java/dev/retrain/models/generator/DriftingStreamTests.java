package dev.retrain.models.generator;

import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.Table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

class DriftingStreamTests {

	static final LocalDate START = LocalDate.of(2024, 1, 1);

	@TempDir
	Path dir;

	static StreamSpec sea(int days, List<Integer> at, StreamSpec.Drift drift, double noise, long seed) {
		return new StreamSpec(StreamSpec.Kind.SEA, seed, START, days, 500, drift, at, 4, noise);
	}

	@Test
	void seaSwitchesItsThresholdFrom8To9OnTheDriftDay() throws IOException {
		new DriftingStream(sea(6, List.of(3), StreamSpec.Drift.ABRUPT, 0.0, 1)).write(this.dir);

		assertThat(new PartitionedDirectory(this.dir).days()).hasSize(6).startsWith(START).endsWith(START.plusDays(5));
		for (int d = 0; d < 6; d++) {
			Table t = day(d, "attrib1", "attrib2", "attrib3", "class");
			double theta = (d < 3) ? 8.0 : 9.0;
			int inBand = 0;
			for (int i = 0; i < t.rows(); i++) {
				double sum = value(t, "attrib1", i) + value(t, "attrib2", i);
				assertThat(value(t, "class", i)).as("day %d row %d", d, i).isEqualTo((sum <= theta) ? 1.0 : 0.0);
				if (sum > 8.0 && sum <= 9.0) {
					inBand++;
				}
			}
			// rows between the two thresholds change label at the drift: there are some
			assertThat(inBand).as("day %d", d).isGreaterThan(20);
		}
	}

	@Test
	void seaGoesThroughTheFourConceptsOfTheAbstract() {
		DriftingStream stream = new DriftingStream(sea(10, List.of(2, 4, 6, 8), StreamSpec.Drift.ABRUPT, 0.0, 1));
		double[] x = { 4.0, 4.25, 0.0 };
		// 8.25: above 8 and 7, at or below 9 and 9.5
		assertThat(List.of(0, 2, 4, 6, 8).stream().map(d -> stream.label(stream.conceptAt(d), x)).toList())
			.containsExactly(0, 1, 0, 1, 0);
	}

	@Test
	void aGradualDriftMovesRowsToTheNextConceptOverItsWidth() throws IOException {
		// width 4 from day 2: days 2..5 mix, 6 on all new
		new DriftingStream(sea(8, List.of(2), StreamSpec.Drift.GRADUAL, 0.0, 3)).write(this.dir);

		double[] newConcept = new double[8];
		for (int d = 0; d < 8; d++) {
			Table t = day(d, "attrib1", "attrib2", "class");
			int band = 0;
			int asNew = 0;
			for (int i = 0; i < t.rows(); i++) {
				double sum = value(t, "attrib1", i) + value(t, "attrib2", i);
				if (sum > 8.0 && sum <= 9.0) {
					band++;
					asNew += (int) value(t, "class", i);
				}
			}
			newConcept[d] = asNew / (double) band;
		}
		assertThat(newConcept[0]).isZero();
		assertThat(newConcept[1]).isZero();
		assertThat(newConcept[2]).isStrictlyBetween(0.05, 0.4);
		assertThat(newConcept[4]).isStrictlyBetween(0.4, 0.9);
		assertThat(newConcept[6]).isEqualTo(1.0);
		assertThat(newConcept[7]).isEqualTo(1.0);
	}

	@Test
	void theHyperplaneRotatesGraduallyAndAgreesWithItsOldSelfLessAndLess() throws IOException {
		StreamSpec spec = new StreamSpec(StreamSpec.Kind.HYPERPLANE, 5, START, 12, 2000, StreamSpec.Drift.GRADUAL,
				List.of(2), 8, 0.0);
		DriftingStream stream = new DriftingStream(spec);
		stream.write(this.dir);

		double[] agreement = new double[12];
		for (int d = 0; d < 12; d++) {
			Table t = day(d, "x1", "x2", "x3", "x4", "x5", "y");
			int same = 0;
			for (int i = 0; i < t.rows(); i++) {
				double[] x = new double[5];
				for (int c = 0; c < 5; c++) {
					x[c] = value(t, "x" + (c + 1), i);
				}
				same += (stream.label(0.0, x) == (int) value(t, "y", i)) ? 1 : 0;
			}
			agreement[d] = same / (double) t.rows();
		}
		assertThat(agreement[0]).isEqualTo(1.0);
		assertThat(agreement[1]).isEqualTo(1.0);
		assertThat(agreement[2]).isLessThan(1.0);
		assertThat(agreement[6]).isLessThan(agreement[3]);
		assertThat(agreement[10]).isLessThan(agreement[6]).isLessThan(0.8);
		assertThat(agreement[11]).isEqualTo(agreement[10], within(0.05));
		assertThat(stream.conceptAt(10)).isEqualTo(1.0);
	}

	@Test
	void noiseFlipsThatShareOfLabels() throws IOException {
		DriftingStream stream = new DriftingStream(sea(2, List.of(), StreamSpec.Drift.ABRUPT, 0.1, 9));
		stream.write(this.dir);

		Table t = day(0, "attrib1", "attrib2", "attrib3", "class");
		int flipped = 0;
		for (int i = 0; i < t.rows(); i++) {
			double[] x = { value(t, "attrib1", i), value(t, "attrib2", i), value(t, "attrib3", i) };
			flipped += (stream.label(0, x) != (int) value(t, "class", i)) ? 1 : 0;
		}
		assertThat(flipped / (double) t.rows()).isCloseTo(0.1, within(0.04));
	}

	@Test
	void theSameSeedWritesTheSameRowsAndAnotherSeedOthers() throws IOException {
		StreamSpec spec = sea(3, List.of(1), StreamSpec.Drift.GRADUAL, 0.1, 42);
		new DriftingStream(spec).write(this.dir.resolve("a"));
		new DriftingStream(spec).write(this.dir.resolve("b"));
		new DriftingStream(sea(3, List.of(1), StreamSpec.Drift.GRADUAL, 0.1, 43)).write(this.dir.resolve("c"));

		for (String column : List.of("attrib1", "attrib3", "class")) {
			double[] a = all(this.dir.resolve("a"), column);
			assertThat(all(this.dir.resolve("b"), column)).as(column).containsExactly(a);
			assertThat(all(this.dir.resolve("c"), column)).as(column).isNotEqualTo(a);
		}
	}

	@Test
	void refusesDriftDaysOutsideTheStreamOrOutOfOrderAndNoiseOfHalfOrMore() {
		assertThatIllegalArgumentException().isThrownBy(() -> sea(10, List.of(10), StreamSpec.Drift.ABRUPT, 0, 1))
			.withMessage("drift days must rise, each from 1 to 9, got [10]");
		assertThatIllegalArgumentException().isThrownBy(() -> sea(10, List.of(0), StreamSpec.Drift.ABRUPT, 0, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> sea(10, List.of(5, 3), StreamSpec.Drift.ABRUPT, 0, 1));
		assertThatIllegalArgumentException().isThrownBy(() -> sea(10, List.of(5), StreamSpec.Drift.ABRUPT, 0.5, 1))
			.withMessage("noise must be at least 0 and below 0.5, got 0.5");
	}

	private Table day(int d, String... columns) {
		List<DataFile> files = new PartitionedDirectory(this.dir).resolve(START.plusDays(d), START.plusDays(d));
		return new ParquetTableReader(this.dir).read(files,
				List.of(columns).stream().map(ColumnRequest::numeric).toList());
	}

	private static double[] all(Path root, String column) {
		List<DataFile> files = new PartitionedDirectory(root).resolveAll();
		return new ParquetTableReader(root).read(files, List.of(ColumnRequest.numeric(column)))
			.numeric(column)
			.values();
	}

	private static double value(Table t, String column, int row) {
		return t.numeric(column).values()[row];
	}

}

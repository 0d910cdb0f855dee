package dev.retrain.models.drift;

import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class HistogramTests {

	@Test
	void aShiftedNumericFeatureMovesItsCurrentShareToTheUpperBinsAndEachSideSumsToOne() {
		Random random = new Random(7);
		double[] ref = new double[5000];
		double[] cur = new double[5000];
		for (int i = 0; i < ref.length; i++) {
			ref[i] = random.nextGaussian();
			cur[i] = random.nextGaussian() + 2;
		}
		Histogram h = Histogram.numeric(column(ref), column(cur));

		assertThat(h.bins()).hasSize(Histogram.NUMERIC_BINS);
		assertThat(sum(h.reference())).isCloseTo(1.0, within(1e-9));
		assertThat(sum(h.current())).isCloseTo(1.0, within(1e-9));
		int half = Histogram.NUMERIC_BINS / 2;
		assertThat(sum(h.reference().subList(0, half))).isGreaterThan(0.8);
		assertThat(sum(h.current().subList(half, Histogram.NUMERIC_BINS))).isGreaterThan(0.8);
	}

	@Test
	void outliersMissingAndNonFiniteValuesNeitherVanishNorStretchTheBins() {
		double[] ref = new double[1000];
		boolean[] nulls = new boolean[1000];
		for (int i = 0; i < ref.length; i++) {
			ref[i] = i % 10;
		}
		ref[0] = 1e9;
		ref[1] = Double.NaN;
		nulls[2] = true;
		Histogram h = Histogram.numeric(new NumericColumn("x", ref, nulls), column(new double[] { 3, 4, 5 }));

		// 1e9 lies in the last, open-ended bin; the 998 other values still spread over
		// several bins instead of all landing in the first
		assertThat(sum(h.reference())).isCloseTo(1.0, within(1e-9));
		assertThat(h.reference().stream().filter(v -> v > 0).count()).isGreaterThanOrEqualTo(9);
		assertThat(Double.parseDouble(h.bins().get(h.bins().size() - 1))).isLessThan(10);
	}

	@Test
	void aConstantFeatureHasOneBinAndAnEmptyOneNone() {
		assertThat(Histogram.numeric(column(new double[] { 2, 2, 2 }), column(new double[] { 2 })).bins()).hasSize(1);
		assertThat(Histogram.numeric(column(new double[0]), column(new double[0])).bins()).isEmpty();
	}

	@Test
	void aCategoryNewInTheCurrentWindowIsShownAndTheRestIsSummedAsOther() {
		String[] ref = new String[200];
		for (int i = 0; i < ref.length; i++) {
			ref[i] = "c" + (i % 20);
		}
		String[] cur = new String[100];
		for (int i = 0; i < cur.length; i++) {
			cur[i] = (i < 60) ? "brand-new" : (i < 99) ? "c" + (i % 20) : null;
		}
		Histogram h = Histogram.categorical(new StringColumn("k", ref), new StringColumn("k", cur));

		assertThat(h.bins()).hasSize(Histogram.TOP_CATEGORIES + 1);
		assertThat(h.bins().get(0)).isEqualTo("brand-new");
		assertThat(h.reference().get(0)).isEqualTo(0.0);
		assertThat(h.current().get(0)).isCloseTo(60 / 99.0, within(1e-9));
		assertThat(h.bins()).last().isEqualTo("(other)");
		assertThat(sum(h.reference())).isCloseTo(1.0, within(1e-9));
		assertThat(sum(h.current())).isCloseTo(1.0, within(1e-9));
	}

	private static NumericColumn column(double[] values) {
		return new NumericColumn("x", values, new boolean[values.length]);
	}

	private static double sum(java.util.List<Double> values) {
		return values.stream().mapToDouble(Double::doubleValue).sum();
	}

}

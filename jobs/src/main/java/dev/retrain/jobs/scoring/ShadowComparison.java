package dev.retrain.jobs.scoring;

import java.util.Arrays;
import java.util.Locale;

import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.promotion.McNemar;
import dev.retrain.models.promotion.PairedBootstrap;
import dev.retrain.models.promotion.PairedTest;
import dev.retrain.models.promotion.PairedTestResult;

/**
 * A shadow version against the served predictions on one day's labelled rows: the
 * realised value of the promotion metric of each, their difference (positive: the shadow
 * is better, whichever way the metric points), and whether the shadow won the day: a
 * positive difference and, with {@code promotion.test}, the same paired test as the
 * promotion gate on the same rows (bootstrap or McNemar; a multiclass day, whose stored
 * predictions carry the class only, is tested by McNemar on accuracy).
 */
final class ShadowComparison {

	private ShadowComparison() {
	}

	/** How the shadow fared: against which served version, by how much, won, and why. */
	record Verdict(Integer against, Double difference, boolean won, String verdict) {
	}

	static Verdict compare(Metric metric, PairedTest test, ProductionLabels.Joined shadow,
			ProductionLabels.Joined served) {
		if (served == null) {
			return new Verdict(null, null, false, "no served predictions of the day to compare with");
		}
		boolean multiclass = shadow.scores().task() == Task.MULTICLASS_CLASSIFICATION;
		Metric m = multiclass ? Metric.ACCURACY : metric;
		Double mine = shadow.metrics().get(m.key());
		Double theirs = served.metrics().get(m.key());
		if (mine == null || theirs == null || !Double.isFinite(mine) || !Double.isFinite(theirs)) {
			return new Verdict(served.version(), null, false,
					m.key() + " not measured on the day's labels: neither a win nor a loss counts");
		}
		double difference = m.improvement(mine, theirs);
		String point = String.format(Locale.ROOT, "%s %.4f against v%d's %.4f (%+.4f) on %d labelled rows", m.key(),
				mine, served.version(), theirs, difference, shadow.labels().length);
		if (test == null) {
			return new Verdict(served.version(), difference, difference > 0,
					point + ((difference > 0) ? ": won" : ": did not win"));
		}
		if (shadow.labels().length != served.labels().length || !Arrays.equals(shadow.labels(), served.labels())) {
			return new Verdict(served.version(), difference, false,
					point + ": the rows could not be paired (the shadow's and the served predictions' labelled rows "
							+ "differ), so promotion.test cannot pass");
		}
		PairedTestResult result;
		if (multiclass) {
			int b = 0;
			int c = 0;
			for (int r = 0; r < shadow.labels().length; r++) {
				boolean s = shadow.scores().scores()[r] == shadow.labels()[r];
				boolean h = served.scores().scores()[r] == served.labels()[r];
				b += (s && !h) ? 1 : 0;
				c += (h && !s) ? 1 : 0;
			}
			result = McNemar.fromCounts(b, c, shadow.labels().length, test);
		}
		else if (test.method() == PairedTest.Method.MCNEMAR) {
			result = McNemar.compare(shadow.scores(), served.scores(), shadow.labels(), test);
		}
		else {
			result = PairedBootstrap.compare(m, shadow.scores(), served.scores(), shadow.labels(), test);
		}
		boolean won = difference > 0 && result.passes();
		return new Verdict(served.version(), difference, won,
				point + ": " + (won ? "won" : "did not win") + ": " + result.verdict());
	}

}

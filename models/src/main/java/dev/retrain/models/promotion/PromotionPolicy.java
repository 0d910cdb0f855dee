package dev.retrain.models.promotion;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.retrain.models.metrics.Metric;
import dev.retrain.models.promotion.PromotionDecision.Outcome;

/**
 * When a candidate replaces the champion: its primary metric meets {@code minValue},
 * beats the champion by at least {@code minImprovement} (absolute, or relative to the
 * champion's value) and strictly, no guard metric regresses by more than its bound, and
 * no slice regresses by more than its bound. With a {@code tolerance} above 0 the fresher
 * model wins instead unless it is worse than the champion by more than the tolerance (for
 * pipelines that retrain to keep up with drift, where a small holdout cannot tell two
 * good models apart). With a {@code test} the point comparison is replaced by a paired
 * test on the same holdout rows: the candidate wins only when the lower bound of the
 * interval of the difference (positive: better) is above the test's margin
 * ({@link PairedTest}); min-value, guards and slices still apply.
 */
public record PromotionPolicy(Metric metric, Double minValue, double minImprovement, boolean relativeImprovement,
		List<Guard> guards, SliceRule slices, FirstRun firstRun, double tolerance, PairedTest test) {

	public PromotionPolicy(Metric metric, Double minValue, double minImprovement, boolean relativeImprovement,
			List<Guard> guards, SliceRule slices, FirstRun firstRun, double tolerance) {
		this(metric, minValue, minImprovement, relativeImprovement, guards, slices, firstRun, tolerance, null);
	}

	public PromotionPolicy(Metric metric, Double minValue, double minImprovement, boolean relativeImprovement,
			List<Guard> guards, SliceRule slices, FirstRun firstRun) {
		this(metric, minValue, minImprovement, relativeImprovement, guards, slices, firstRun, 0.0);
	}

	public PromotionPolicy {
		guards = (guards != null) ? List.copyOf(guards) : List.of();
		firstRun = (firstRun != null) ? firstRun : FirstRun.PROMOTE_IF_MIN_VALUE;
	}

	public PromotionDecision decide(Comparison c) {
		String m = this.metric.key();
		Double cand = c.candidate().get(m);
		List<String> reasons = new ArrayList<>();
		if (cand == null || cand.isNaN()) {
			return new PromotionDecision(Outcome.REJECT, "candidate " + m + " could not be computed on the holdout",
					List.of(m + " is undefined on the primary holdout (e.g. only one class present)"));
		}
		boolean meetsMin = this.minValue == null || this.metric.improvement(cand, this.minValue) >= 0;
		if (this.minValue != null) {
			reasons.add(String.format(Locale.ROOT, "%s %.4f %s the minimum %.4f", m, cand,
					meetsMin ? "meets" : "does not meet", this.minValue));
		}
		if (c.champion() == null) {
			String why = (c.championUnavailable() != null) ? c.championUnavailable() : "no champion yet";
			reasons.add(0, why);
			return switch (this.firstRun) {
				case PROMOTE -> new PromotionDecision(Outcome.PROMOTE, "promoted: " + why, reasons);
				case HOLD -> new PromotionDecision(Outcome.HOLD, "held for a person to decide: " + why, reasons);
				case PROMOTE_IF_MIN_VALUE ->
					meetsMin ? new PromotionDecision(Outcome.PROMOTE, "promoted: " + why, reasons)
							: new PromotionDecision(Outcome.REJECT, "rejected: " + reasons.get(reasons.size() - 1),
									reasons);
			};
		}
		boolean ok = meetsMin;
		double champ = c.champion().get(m);
		double gain = this.metric.improvement(cand, champ);
		double measured = this.relativeImprovement ? gain / Math.max(Math.abs(champ), 1e-12) : gain;
		boolean improves = (this.tolerance > 0) ? gain >= -this.tolerance : measured >= this.minImprovement && gain > 0;
		if (this.test != null) {
			PairedTestResult t = c.test();
			improves = t != null && !Double.isNaN(t.lower()) && t.passes();
		}
		String comparison = (this.test != null) ? testReason(c, cand, champ) : (this.tolerance > 0)
				? String.format(Locale.ROOT, "%s %.4f vs champion v%d %.4f: change %+.4f is %s the tolerance of -%.4f",
						m, cand, c.championVersion(), champ, gain, improves ? "within" : "beyond", this.tolerance)
				: String.format(Locale.ROOT,
						"%s %.4f vs champion v%d %.4f: %s %+.4f %s the required improvement of %.4f (and must be above 0)",
						m, cand, c.championVersion(), champ, this.relativeImprovement ? "relative change" : "change",
						measured, improves ? "meets" : "does not meet", this.minImprovement);
		reasons.add(comparison);
		ok &= improves;
		for (Guard g : this.guards) {
			Double gc = c.candidate().get(g.metric().key());
			Double gh = c.champion().get(g.metric().key());
			if (gc == null || gh == null || gc.isNaN() || gh.isNaN()) {
				continue;
			}
			double regression = -g.metric().improvement(gc, gh);
			boolean within = regression <= g.maxRegression();
			reasons.add(
					String.format(Locale.ROOT, "guard %s %.4f vs %.4f: regression %.4f %s bound %.4f", g.metric().key(),
							gc, gh, Math.max(regression, 0), within ? "within" : "exceeds", g.maxRegression()));
			ok &= within;
		}
		if (this.slices != null && c.slices() != null) {
			for (Map.Entry<String, Comparison.SliceResult> e : c.slices().entrySet()) {
				Comparison.SliceResult s = e.getValue();
				if (s.rows() < this.slices.minRows() || Double.isNaN(s.candidate()) || Double.isNaN(s.champion())) {
					continue;
				}
				double regression = -this.metric.improvement(s.candidate(), s.champion());
				if (regression > this.slices.maxRegression()) {
					reasons.add(String.format(Locale.ROOT,
							"slice %s=%s (%d rows): %s %.4f vs %.4f regresses by %.4f > %.4f", this.slices.column(),
							e.getKey(), s.rows(), m, s.candidate(), s.champion(), regression,
							this.slices.maxRegression()));
					ok = false;
				}
			}
		}
		String first = reasons.stream()
			.filter(r -> r.contains("does not") || r.contains("exceeds") || r.contains("regresses")
					|| r.contains("beyond") || r.contains("may be noise") || r.contains("not shown")
					|| r.contains("could not be tested"))
			.findFirst()
			.orElse(null);
		return ok ? new PromotionDecision(Outcome.PROMOTE, "promoted: " + comparison, reasons)
				: new PromotionDecision(Outcome.REJECT, "rejected: " + first, reasons);
	}

	private String testReason(Comparison c, double cand, double champ) {
		PairedTestResult t = c.test();
		String points = String.format(Locale.ROOT, "%s %.4f vs champion v%d %.4f: ", this.metric.key(), cand,
				c.championVersion(), champ);
		if (t == null || Double.isNaN(t.lower())) {
			return points + "the difference could not be tested (" + this.test.method().key()
					+ ((t == null) ? ": no paired predictions" : ": the metric is undefined on most resamples") + ")";
		}
		return points + t.verdict();
	}

}

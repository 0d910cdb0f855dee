package dev.retrain.jobs.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.retrain.models.committee.CommitteeSpec;
import dev.retrain.models.features.FeatureSpec;
import dev.retrain.models.features.FeatureSpec.FeatureType;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.promotion.Guard;
import dev.retrain.models.promotion.PairedTest;
import dev.retrain.models.promotion.PromotionPolicy;
import dev.retrain.models.promotion.SliceRule;

/**
 * The promotion section: metrics (the policy's and the guards') that fit the task, a
 * slice column that is a categorical feature, a tolerance or a min-improvement; the
 * metric defaults to the task's ({@code roc_auc}, or {@code rmse}).
 */
final class PromotionRules {

	private PromotionRules() {
	}

	static PromotionPolicy promotion(PipelineYaml.Promotion p, Task task, List<FeatureSpec> features,
			PipelineRules.Problems problems) {
		Metric fallback = (task == Task.REGRESSION) ? Metric.RMSE : Metric.ROC_AUC;
		if (p == null) {
			return new PromotionPolicy(fallback, null, 0.0, false, List.of(), null,
					PipelineYaml.FirstRunName.PROMOTE_IF_MIN_VALUE.rule);
		}
		Metric metric = (p.metric() != null) ? p.metric() : fallback;
		fits("promotion.metric", p.metric(), task, problems);
		List<Guard> guards = new ArrayList<>();
		for (int i = 0; i < p.guards().size(); i++) {
			PipelineYaml.Guard g = p.guards().get(i);
			if (g != null && g.metric() != null) {
				fits("promotion.guards[" + i + "].metric", g.metric(), task, problems);
				guards.add(new Guard(g.metric(), g.maxRegression()));
			}
		}
		SliceRule slices = null;
		if (p.slices() != null) {
			String column = p.slices().column();
			if (column != null && features.stream()
				.noneMatch(f -> f.name().equals(column) && f.type() == FeatureType.CATEGORICAL)) {
				problems.add("promotion.slices.column", "'" + column + "' must be one of the categorical features");
			}
			slices = new SliceRule(column, p.slices().maxRegression(), p.slices().minRows());
		}
		if (p.tolerance() > 0 && p.minImprovement() > 0) {
			problems.add("promotion.tolerance", "a tolerance and a min-improvement exclude each other");
		}
		return new PromotionPolicy(metric, p.minValue(), p.minImprovement(),
				p.improvement() == PipelineYaml.Improvement.RELATIVE, guards, slices, p.firstRun().rule, p.tolerance(),
				test(p, metric, task, problems));
	}

	/**
	 * The paired test: McNemar's only for classification and on accuracy (it tests
	 * per-row correctness); resamples only for the bootstrap; the test replaces the point
	 * comparison, so a tolerance or a min-improvement beside it is refused (its margin
	 * says both).
	 */
	private static PairedTest test(PipelineYaml.Promotion p, Metric metric, Task task,
			PipelineRules.Problems problems) {
		PipelineYaml.Test t = p.test();
		if (t == null || t.method() == null) {
			return null;
		}
		if (t.method() == PipelineYaml.TestMethod.MCNEMAR) {
			if (task != null && !task.isClassification()) {
				problems.add("promotion.test.method",
						"mcnemar compares per-row correctness: only for binary or multiclass, use paired-bootstrap");
			}
			else if (metric != Metric.ACCURACY) {
				problems.add("promotion.test.method", "mcnemar tests accuracy, but promotion.metric is '" + metric.key()
						+ "': set promotion.metric: accuracy, or use paired-bootstrap");
			}
			if (t.resamples() != null) {
				problems.add("promotion.test.resamples", "applies to paired-bootstrap only");
			}
		}
		if (p.tolerance() > 0) {
			problems.add("promotion.test", "excludes promotion.tolerance: use a negative promotion.test.margin "
					+ "(the candidate may be worse by at most |margin|)");
		}
		if (p.minImprovement() > 0) {
			problems.add("promotion.test", "excludes promotion.min-improvement: use a positive promotion.test.margin "
					+ "(the lower bound of the interval must exceed it)");
		}
		if (p.improvement() == PipelineYaml.Improvement.RELATIVE) {
			problems.add("promotion.test",
					"excludes promotion.improvement: relative: the margin is absolute, " + "in the metric's units");
		}
		if (Math.abs(t.margin()) >= 1
				&& (metric == Metric.ACCURACY || metric == Metric.F1 || metric == Metric.ROC_AUC)) {
			problems.add("promotion.test.margin", "must be in (-1, 1) for " + metric.key());
		}
		return new PairedTest(t.method().method, t.confidence(), t.margin(),
				(t.resamples() != null) ? t.resamples() : PairedTest.DEFAULT_RESAMPLES,
				(t.seed() != null) ? t.seed() : PairedTest.DEFAULT_SEED);
	}

	/**
	 * The committee section, or null without one: {@code eta} (the default
	 * {@value CommitteeSpec#DEFAULT_ETA}) and {@code share} (fixed share, in [0, 1), the
	 * default 0: plain Hedge) are hedge's only.
	 */
	static CommitteeSpec committee(PipelineYaml.Promotion p, PipelineRules.Problems problems) {
		if (p == null || p.committee() == null || p.committee().size() == null || p.committee().weighting() == null) {
			return null;
		}
		PipelineYaml.Committee c = p.committee();
		if (c.weighting() == PipelineYaml.CommitteeWeighting.BEST_RECENT && c.eta() != null) {
			problems.add("promotion.committee.eta", "applies to weighting: hedge only (best-recent has no rate)");
		}
		if (c.share() != null && c.weighting() == PipelineYaml.CommitteeWeighting.BEST_RECENT) {
			problems.add("promotion.committee.share",
					"applies to weighting: hedge only (best-recent puts all the weight on one member)");
		}
		if (c.share() != null && !(c.share() >= 0 && c.share() < 1)) {
			problems.add("promotion.committee.share", "must be in [0, 1), was " + c.share());
		}
		double eta = (c.eta() != null) ? c.eta() : CommitteeSpec.DEFAULT_ETA;
		double share = (c.share() != null) ? c.share() : 0.0;
		if (!(eta > 0) || c.size() < 1 || !(share >= 0 && share < 1)
				|| (share > 0 && c.weighting() == PipelineYaml.CommitteeWeighting.BEST_RECENT)) {
			return null;
		}
		return new CommitteeSpec(c.size(), c.weighting().weighting, eta, share);
	}

	private static void fits(String field, Metric metric, Task task, PipelineRules.Problems problems) {
		if (metric != null && task != null && !metric.appliesTo(task)) {
			problems.add(field,
					"'" + metric.key() + "' does not apply to a " + task.name().toLowerCase(Locale.ROOT) + " task");
		}
	}

}

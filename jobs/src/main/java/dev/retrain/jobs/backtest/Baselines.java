package dev.retrain.jobs.backtest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.retrain.jobs.backtest.BacktestReport.Baseline;
import dev.retrain.jobs.backtest.BacktestReport.Period;
import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.metrics.Metrics;
import dev.retrain.models.metrics.Predictions;

/**
 * Naive references from the labels alone: predict each period with the previous period's
 * label mix (its majority class and class shares, or its mean for regression); and train
 * once, which is the replay of a {@code never} policy (the backtest adds one when none
 * was asked for).
 */
final class Baselines {

	private Baselines() {
	}

	static List<Baseline> of(Task task, Metric metric, PolicyResult trainOnce) {
		List<Baseline> out = new ArrayList<>();
		out.add(new Baseline("train once (policy '" + trainOnce.name() + "')", trainOnce.meanMetric(),
				trainOnce.timeline().stream().map(Period::metric).toList()));
		out.add(previousPeriod(task, metric, trainOnce.timeline()));
		return out;
	}

	private static Baseline previousPeriod(Task task, Metric metric, List<Period> periods) {
		List<Double> values = new ArrayList<>();
		for (int i = 1; i < periods.size(); i++) {
			double[] previous = periods.get(i - 1).labels();
			double[] labels = periods.get(i).labels();
			if (previous.length == 0 || labels.length == 0) {
				continue;
			}
			Predictions constant = constant(task, previous, labels.length);
			if (constant == null) {
				continue;
			}
			Double v = Metrics.compute(constant, labels).get(metric.key());
			if (v != null && Double.isFinite(v)) {
				values.add(v);
			}
		}
		String name = (task == Task.REGRESSION) ? "previous period's mean" : "previous period's majority class";
		return new Baseline(name, values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN),
				values);
	}

	private static Predictions constant(Task task, double[] previous, int rows) {
		switch (task) {
			case REGRESSION -> {
				double[] s = new double[rows];
				Arrays.fill(s, Arrays.stream(previous).average().orElse(0));
				return new Predictions(task, 1, s);
			}
			case BINARY_CLASSIFICATION -> {
				double share = Arrays.stream(previous).average().orElse(0.5);
				// the majority class, with a probability just past one half so that ties
				// go the same way
				double[] s = new double[rows];
				Arrays.fill(s, (share >= 0.5) ? 0.5 + 1e-9 : 0.5 - 1e-9);
				return new Predictions(task, 1, s);
			}
			default -> {
				int k = (int) Arrays.stream(previous).max().orElse(0) + 1;
				int[] counts = new int[k];
				for (double c : previous) {
					counts[(int) c]++;
				}
				int majority = 0;
				for (int c = 1; c < k; c++) {
					if (counts[c] > counts[majority]) {
						majority = c;
					}
				}
				double[] s = new double[rows * k];
				for (int r = 0; r < rows; r++) {
					s[r * k + majority] = 1.0;
				}
				return new Predictions(task, k, s);
			}
		}
	}

}

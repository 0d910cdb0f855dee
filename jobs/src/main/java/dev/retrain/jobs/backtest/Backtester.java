package dev.retrain.jobs.backtest;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;
import dev.retrain.models.metrics.Metric;

/**
 * Replays retraining policies over a pipeline's history, test-then-train: for each period
 * the current champion scores it before its labels are used; then the policy decides,
 * with the product's own code (Quartz's cron parser, the drift checker and its events
 * with their cooldown, the retrain job and its promotion policy) under a simulated clock.
 * Each policy runs in its own sandbox (in-memory database, model store under
 * {@code workDir}), never in the live application.
 */
public class Backtester {

	/**
	 * The name of the train-once policy added when the request has no {@code never}
	 * policy.
	 */
	public static final String TRAIN_ONCE = "train-once";

	/**
	 * What to replay: a pipeline file's text (its data path resolved against
	 * {@code dataDir}), the periods and the policies; with {@code labelDelayPeriods}
	 * (null: not set) each policy is replayed with labels 0, 1 and that many periods late
	 * ({@link LabelDelay}).
	 */
	public record Request(String pipelineYaml, Path dataDir, Path workDir, LocalDate from, LocalDate to, int periodDays,
			int warmupDays, List<BacktestPolicy> policies, Integer labelDelayPeriods) {

		/** A request whose policies see every label as soon as its period ends. */
		public Request(String pipelineYaml, Path dataDir, Path workDir, LocalDate from, LocalDate to, int periodDays,
				int warmupDays, List<BacktestPolicy> policies) {
			this(pipelineYaml, dataDir, workDir, from, to, periodDays, warmupDays, policies, null);
		}

		/**
		 * This request over the given days (null: as the request says), so that a resumed
		 * backtest keeps its range.
		 */
		Request between(LocalDate first, LocalDate last) {
			return new Request(this.pipelineYaml, this.dataDir, this.workDir, (first != null) ? first : this.from,
					(last != null) ? last : this.to, this.periodDays, this.warmupDays, this.policies,
					this.labelDelayPeriods);
		}

	}

	/**
	 * Checks a request without running it (the pipeline, the data's partitions, the
	 * periods, every policy's pipeline with its drift section), so that an interface can
	 * refuse a bad one before it starts.
	 */
	public void check(Request req) {
		BacktestPlan.of(req);
	}

	/**
	 * Replays every policy of the request, one after the other, and reports them with the
	 * baselines.
	 */
	public BacktestReport run(Request req, Consumer<String> progress) {
		return run(req, progress, Ticker.NONE);
	}

	/**
	 * The same, and {@code ticker} told of every period replayed (a command's progress
	 * bar).
	 */
	public BacktestReport run(Request req, Consumer<String> progress, Ticker ticker) {
		long start = System.nanoTime();
		BacktestPlan plan = BacktestPlan.of(req);
		List<PolicyResult> results = new ArrayList<>();
		for (BacktestPolicy policy : plan.policies()) {
			results.add(replay(plan, policy, progress, ticker));
		}
		return report(plan, results, PolicyTally.millisSince(start));
	}

	/** Told of each period a policy has replayed. */
	@FunctionalInterface
	public interface Ticker {

		Ticker NONE = (policy, done, total) -> {
		};

		void period(String policy, int done, int total);

	}

	/** Replays one policy of a plan in a sandbox of its own. */
	static PolicyResult replay(BacktestPlan plan, BacktestPolicy policy, Consumer<String> progress) {
		return replay(plan, policy, progress, Ticker.NONE);
	}

	static PolicyResult replay(BacktestPlan plan, BacktestPolicy policy, Consumer<String> progress, Ticker ticker) {
		progress.accept("policy " + policy.name() + ": " + plan.periods().size() + " periods");
		return new PolicyReplay(plan, policy, progress, ticker).run();
	}

	/**
	 * The report of a plan whose policies were replayed ({@code results} in the plan's
	 * order), with the baselines: train once is the first {@code never} policy's result.
	 */
	static BacktestReport report(BacktestPlan plan, List<PolicyResult> results, long elapsedMillis) {
		PolicyResult trainOnce = null;
		for (int i = 0; i < results.size() && trainOnce == null; i++) {
			if (plan.policies().get(i).type() == BacktestPolicy.Type.NEVER) {
				trainOnce = results.get(i);
			}
		}
		Request req = plan.request();
		Metric metric = plan.def().promotion().metric();
		return new BacktestReport(plan.def().name(), metric.key(), req.periodDays(), req.warmupDays(), plan.from(),
				plan.to(), results, Baselines.of(plan.def().task(), metric, trainOnce), elapsedMillis);
	}

}

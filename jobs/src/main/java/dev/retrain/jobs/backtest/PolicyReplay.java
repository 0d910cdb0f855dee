package dev.retrain.jobs.backtest;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import dev.retrain.jobs.backtest.BacktestPlan.Span;
import dev.retrain.jobs.backtest.BacktestReport.Period;
import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;
import dev.retrain.jobs.backtest.PeriodScorer.Scores;
import dev.retrain.jobs.backtest.PolicySandbox.Retrain;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.pipeline.PipelineDefinition;

/**
 * Replays one policy over a plan's periods in a sandbox of its own, test-then-train: the
 * champion scores a period before its labels are used; then, at the start of the next day
 * in simulated time, the policy decides whether to retrain, with the product's own code
 * (cron, drift checks and their events, the retrain job and its promotion), seeing the
 * labels its {@link LabelDelay} lets it see.
 */
final class PolicyReplay {

	private final BacktestPlan plan;

	private final BacktestPolicy policy;

	private final Consumer<String> progress;

	private final SimulatedCron cron;

	private Instant lastFire;

	private final Backtester.Ticker ticker;

	PolicyReplay(BacktestPlan plan, BacktestPolicy policy, Consumer<String> progress, Backtester.Ticker ticker) {
		this.ticker = ticker;
		this.plan = plan;
		this.policy = policy;
		this.progress = progress;
		this.cron = (policy.cron() != null) ? SimulatedCron.parse(policy.cron()) : null;
		this.lastFire = PolicySandbox.startOf(plan.warmupEnd().plusDays(1));
	}

	/**
	 * What the policy decided at a period's end: {@code why} it retrains (null: it does
	 * not), whether a drift check already started that retrain, and what it looked at
	 * (the drift check's report, the features' PSI).
	 */
	record Verdict(String why, boolean startedByDrift, DriftReport drift, Map<String, Double> psi) {

		boolean retrain() {
			return this.why != null;
		}

	}

	/**
	 * Replays the policy (once: a replay keeps the cron's last fire) and returns its
	 * result.
	 */
	PolicyResult run() {
		PipelineDefinition def = this.plan.def();
		long start = System.nanoTime();
		try (PolicySandbox sandbox = PolicySandbox.open(this.plan.request().workDir(), this.policy.name(), def.name(),
				this.plan.sandboxYaml(this.policy));
				PeriodScorer scorer = new PeriodScorer(sandbox.store(), def.name(), this.plan.data())) {
			PolicyTally tally = new PolicyTally();
			LocalDate warmupEnd = this.plan.warmupEnd();
			LabelDelay delay = this.plan.labelDelay(this.policy);
			sandbox.startDay(warmupEnd.plusDays(1));
			tally.trained(sandbox.retrain(delay.labelsUntil(warmupEnd), "warm-up"));
			tally.championSince(warmupEnd, sandbox.champion());
			for (int i = 0; i < this.plan.periods().size(); i++) {
				Span period = this.plan.periods().get(i);
				long scoring = System.nanoTime();
				Integer champion = sandbox.champion().orElse(null);
				Scores scores = scorer.score(period, champion, delay.labelsUntil(period.start().minusDays(1)));
				tally.scoredSince(scoring);
				// the period is over: its labels are known, the policy decides (at the
				// start of the next day)
				sandbox.startDay(period.end().plusDays(1));
				long checking = System.nanoTime();
				LocalDate labelsUntil = delay.labelsUntil(period.end());
				Verdict verdict = decide(sandbox, scorer, period, champion, labelsUntil);
				tally.checkedSince(checking);
				boolean promoted = false;
				LocalDate trainedThrough = null;
				if (verdict.retrain()) {
					Retrain run = verdict.startedByDrift() ? sandbox.retrainStartedByDrift()
							: sandbox.retrain(labelsUntil, verdict.why());
					tally.retrained(run);
					promoted = run.promoted();
					trainedThrough = run.run().asOf();
					if (promoted) {
						tally.championSince(period.end(), sandbox.champion());
					}
				}
				tally.period(new Period(period.start(), period.end(), scores.rows(),
						scores.metric(def.task(), def.promotion().metric()), champion, verdict.retrain(), promoted,
						verdict.why(), verdict.drift(), verdict.psi(), scores.reported(def.task()), scores.labels(),
						trainedThrough));
				this.ticker.period(this.policy.name(), i + 1, this.plan.periods().size());
				if ((i + 1) % 50 == 0) {
					this.progress.accept("policy " + this.policy.name() + ": period " + (i + 1) + " of "
							+ this.plan.periods().size());
				}
			}
			return tally.result(this.policy, PolicyTally.millisSince(start));
		}
	}

	/**
	 * The policy's decision at a period's end: a drift check (whose positive result is a
	 * drift event, which may start a retrain), the cron's fires since the last one, or
	 * the textbook PSI rule (inputs only). Labels are known up to {@code labelsUntil}.
	 */
	private Verdict decide(PolicySandbox sandbox, PeriodScorer scorer, Span period, Integer champion,
			LocalDate labelsUntil) {
		String why = null;
		DriftReport drift = null;
		Map<String, Double> psi = null;
		boolean byDrift = false;
		if (this.policy.type() == BacktestPolicy.Type.DRIFT || this.policy.type() == BacktestPolicy.Type.COMBINED) {
			drift = sandbox.checkDrift(period.end(), labelsUntil);
			byDrift = drift.status() == DriftReport.Status.DRIFT && drift.outcome() != null
					&& drift.outcome().startsWith("STARTED_RUN");
			why = byDrift ? drift.summary() : null;
		}
		if (this.cron != null) {
			Instant fired = this.cron.lastFireBetween(this.lastFire, sandbox.now());
			if (fired != null) {
				this.lastFire = fired;
				// a drift retrain at the same moment stands for the scheduled one (the
				// pipeline is busy)
				why = (why == null) ? "cron fired at " + fired : why + "; cron fired at " + fired;
			}
		}
		if (this.policy.type() == BacktestPolicy.Type.FIXED_PSI) {
			psi = scorer.psi(period, champion);
			why = psi.entrySet()
				.stream()
				.filter(e -> e.getValue() > this.policy.psiThreshold())
				.findFirst()
				.map(e -> String.format(Locale.ROOT, "PSI of %s = %.3f > %.2f", e.getKey(), e.getValue(),
						this.policy.psiThreshold()))
				.orElse(null);
		}
		return new Verdict(why, byDrift, drift, psi);
	}

}

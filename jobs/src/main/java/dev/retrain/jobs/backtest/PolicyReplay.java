package dev.retrain.jobs.backtest;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import dev.retrain.jobs.backtest.BacktestPlan.Span;
import dev.retrain.jobs.backtest.BacktestReport.CommitteeUpdate;
import dev.retrain.jobs.backtest.BacktestReport.Period;
import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;
import dev.retrain.jobs.backtest.PeriodScorer.Scores;
import dev.retrain.jobs.backtest.PolicySandbox.Retrain;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineLoader;
import dev.retrain.models.committee.CommitteeSpec;
import dev.retrain.models.committee.CommitteeWeights;
import dev.retrain.models.features.Task;

/**
 * Replays one policy over a plan's periods in a sandbox of its own, test-then-train: the
 * champion scores a period before its labels are used; then, at the start of the next day
 * in simulated time, the policy decides whether to retrain, with the product's own code
 * (cron, drift checks and their events, the retrain job and its promotion), seeing the
 * labels its {@link LabelDelay} lets it see.
 * <p>
 * With a committee champion ({@code promotion.committee}, the pipeline's or the
 * policy's), each period is scored by the weighted vote of the committee's members
 * instead ({@link PeriodScorer#vote}). At each period's end, first the periods whose
 * labels have now arrived (the period {@code label-delay-periods} before, as the
 * {@link LabelDelay} says) move the weights, by each member's loss on them (no
 * retraining); then the policy decides, and a retrain's candidate that is promoted enters
 * the committee. So a member is only ever weighted on labels that arrived after it was
 * trained. The drift checks still look at the champion alone (the newest promoted
 * version).
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
			CommitteeSpec spec = new PipelineLoader()
				.parse(this.plan.sandboxYaml(this.policy), "policy '" + this.policy.name() + "'")
				.committee();
			Committee committee = (spec != null) ? new Committee(spec, def.task(), scorer) : null;
			sandbox.startDay(warmupEnd.plusDays(1));
			tally.trained(sandbox.retrain(delay.labelsUntil(warmupEnd), "warm-up"));
			tally.championSince(warmupEnd, sandbox.champion());
			if (committee != null) {
				sandbox.champion().ifPresent(committee::admit);
			}
			for (int i = 0; i < this.plan.periods().size(); i++) {
				Span period = this.plan.periods().get(i);
				long scoring = System.nanoTime();
				Integer champion = sandbox.champion().orElse(null);
				Map<Integer, Double> weights = (committee != null) ? committee.weightsByVersion() : null;
				// derived features see only the labels known when the period starts
				LocalDate known = delay.labelsUntil(period.start().minusDays(1));
				Scores scores = (committee != null) ? committee.score(i, period, known)
						: scorer.score(period, champion, known);
				tally.scoredSince(scoring);
				// the period is over: its labels are known, the policy decides (at the
				// start of the next day)
				sandbox.startDay(period.end().plusDays(1));
				long checking = System.nanoTime();
				LocalDate labelsUntil = delay.labelsUntil(period.end());
				List<CommitteeUpdate> updates = (committee != null)
						? committee.labelsUntil(labelsUntil, this.plan.periods()) : List.of();
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
						if (committee != null) {
							sandbox.champion().ifPresent(committee::admit);
						}
					}
				}
				tally.period(new Period(period.start(), period.end(), scores.rows(),
						scores.metric(def.task(), def.promotion().metric()), champion, verdict.retrain(), promoted,
						verdict.why(), verdict.drift(), verdict.psi(), scores.reported(def.task()), scores.labels(),
						trainedThrough, weights, updates));
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
	 * A committee champion in a replay: its weights, the members' scores of the periods
	 * whose labels have not arrived yet (kept to weigh the members when they do), and the
	 * next period whose labels are awaited.
	 */
	private static final class Committee {

		private final Task task;

		private final PeriodScorer scorer;

		private CommitteeWeights weights;

		private final Map<Integer, Map<Integer, Scores>> unlabelled = new HashMap<>();

		/** Per period scored, the last day whose labels its derived features saw. */
		private final Map<Integer, LocalDate> known = new HashMap<>();

		private int nextLabelled;

		Committee(CommitteeSpec spec, Task task, PeriodScorer scorer) {
			this.weights = CommitteeWeights.empty(spec);
			this.task = task;
			this.scorer = scorer;
		}

		void admit(int version) {
			this.weights = this.weights.admit(version);
		}

		Map<Integer, Double> weightsByVersion() {
			Map<Integer, Double> out = new LinkedHashMap<>();
			this.weights.members().forEach(m -> out.put(m.version(), m.weight()));
			return out;
		}

		/** Period {@code index} scored by the weighted vote of the members. */
		Scores score(int index, Span period, LocalDate known) {
			if (this.weights.isEmpty()) {
				return Scores.NONE;
			}
			List<Integer> versions = this.weights.versions();
			this.known.put(index, known);
			Map<Integer, Scores> each = this.scorer.scoreAll(period, versions, known);
			this.unlabelled.put(index, each);
			return PeriodScorer.vote(this.task, versions.stream().map(each::get).toList(), this.weights.weights());
		}

		/**
		 * The labels of every period ending by {@code labelsUntil} have arrived: each
		 * such period not yet used, oldest first, moves the weights by the members'
		 * losses on it (a member that entered after the period was scored scores it now).
		 */
		List<CommitteeUpdate> labelsUntil(LocalDate labelsUntil, List<Span> periods) {
			List<CommitteeUpdate> updates = new ArrayList<>();
			while (this.nextLabelled < periods.size() && !periods.get(this.nextLabelled).end().isAfter(labelsUntil)) {
				int index = this.nextLabelled++;
				Map<Integer, Scores> scored = this.unlabelled.remove(index);
				LocalDate cut = this.known.remove(index);
				if (this.weights.isEmpty() || scored == null) {
					continue;
				}
				List<Integer> missing = this.weights.versions().stream().filter(v -> !scored.containsKey(v)).toList();
				Map<Integer, Scores> all = new HashMap<>(scored);
				all.putAll(this.scorer.scoreAll(periods.get(index), missing, cut));
				if (all.values().iterator().next().rows() == 0) {
					continue;
				}
				Map<Integer, Double> losses = new LinkedHashMap<>();
				for (int v : this.weights.versions()) {
					losses.put(v, PeriodScorer.loss(this.task, all.get(v)));
				}
				this.weights = this.weights.update(losses);
				updates.add(new CommitteeUpdate(periods.get(index).start(), periods.get(index).end(), losses,
						weightsByVersion()));
			}
			return updates;
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

package dev.retrain.jobs.backtest;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.pipeline.PipelineLoader;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.storage.Storage;

/**
 * What a backtest request resolves to, checked before anything runs: the pipeline, its
 * data, the warm-up, the periods to replay and the policies (train once included), each
 * with a pipeline file its sandbox can load.
 */
record BacktestPlan(Backtester.Request request, PipelineDefinition def, Path data, LocalDate from, LocalDate to,
		LocalDate warmupEnd, List<Span> periods, List<BacktestPolicy> policies) {

	/** The days one period covers, both included. */
	record Span(LocalDate start, LocalDate end) {
	}

	/**
	 * Resolves and checks a request: the pipeline, the data's day partitions, the
	 * periods, and every policy's pipeline with its drift section (a bad one fails now,
	 * not an hour into the backtest).
	 */
	static BacktestPlan of(Backtester.Request req) {
		PipelineDefinition def = new PipelineLoader().parse(req.pipelineYaml(), "backtest pipeline");
		if (Storage.isObjectStorage(def.dataPath())) {
			// a backtest retrains many times over the same window: it reads a local copy
			throw new IllegalArgumentException("the pipeline's data.path is " + def.dataPath()
					+ ": backtests read local data only; copy the days to replay to a local directory "
					+ "(aws s3 sync) and point data.path at it");
		}
		Path data = req.dataDir().resolve(def.dataPath()).toAbsolutePath().normalize();
		List<LocalDate> days;
		try {
			days = new PartitionedDirectory(data).days();
		}
		catch (DataValidationFailed ex) {
			throw new IllegalArgumentException("the pipeline's data: " + ex.getMessage(), ex);
		}
		if (days.isEmpty()) {
			throw new IllegalArgumentException("no day partitions (dt=YYYY-MM-DD) under " + data);
		}
		if (req.periodDays() < 1 || req.warmupDays() < 1) {
			throw new IllegalArgumentException("period-days and warmup-days must be at least 1, got " + req.periodDays()
					+ " and " + req.warmupDays());
		}
		if (req.labelDelayPeriods() != null && req.labelDelayPeriods() < 0) {
			throw new IllegalArgumentException(
					LabelDelay.FIELD + " must be 0 or more (periods), got " + req.labelDelayPeriods());
		}
		String tooLong = (req.labelDelayPeriods() != null)
				? LabelDelay.tooLong(req.labelDelayPeriods(), req.periodDays(), req.warmupDays()) : null;
		if (tooLong != null) {
			throw new IllegalArgumentException(LabelDelay.FIELD + ": " + tooLong);
		}
		LocalDate from = (req.from() != null) ? req.from() : days.get(0);
		LocalDate to = (req.to() != null) ? req.to() : days.get(days.size() - 1);
		BacktestPlan plan = new BacktestPlan(req, def, data, from, to, warmupEnd(from, req.warmupDays()),
				periods(from, to, req.warmupDays(), req.periodDays()),
				atDelays(withTrainOnce(req.policies()), req.labelDelayPeriods()));
		for (BacktestPolicy policy : plan.policies()) {
			new PipelineLoader().parse(plan.sandboxYaml(policy), "policy '" + policy.name() + "'");
		}
		if (plan.periods().isEmpty()) {
			throw new IllegalArgumentException("no whole " + req.periodDays() + "-day period after " + req.warmupDays()
					+ " days of warm-up between " + from + " and " + to);
		}
		return plan;
	}

	/** The last day of the warm-up that begins on {@code from}. */
	static LocalDate warmupEnd(LocalDate from, int warmupDays) {
		return from.plusDays(warmupDays - 1L);
	}

	/**
	 * The whole periods of {@code periodDays} days from the day after the warm-up to
	 * {@code to}; a partial last one is left out.
	 */
	static List<Span> periods(LocalDate from, LocalDate to, int warmupDays, int periodDays) {
		List<Span> periods = new ArrayList<>();
		for (LocalDate p = warmupEnd(from, warmupDays).plusDays(1); !p.plusDays(periodDays - 1L).isAfter(to); p = p
			.plusDays(periodDays)) {
			periods.add(new Span(p, p.plusDays(periodDays - 1L)));
		}
		return periods;
	}

	/**
	 * The policies with train once, a baseline every report has, listed first unless a
	 * {@code never} policy was asked for; it is named {@value Backtester#TRAIN_ONCE}
	 * unless a policy already has that name.
	 */
	static List<BacktestPolicy> withTrainOnce(List<BacktestPolicy> requested) {
		List<BacktestPolicy> policies = new ArrayList<>(requested);
		if (policies.stream().noneMatch(p -> p.type() == BacktestPolicy.Type.NEVER)) {
			boolean taken = policies.stream().anyMatch(p -> p.name().equals(Backtester.TRAIN_ONCE));
			policies.add(0, BacktestPolicy.never(taken ? Backtester.TRAIN_ONCE + "-baseline" : Backtester.TRAIN_ONCE));
		}
		return policies;
	}

	/**
	 * Each policy once per delay the report shows ({@link LabelDelay#shown}), named for
	 * its delay ({@code drift.delay-1}) and listed together; the policies as they are
	 * when no delay is set.
	 */
	static List<BacktestPolicy> atDelays(List<BacktestPolicy> policies, Integer labelDelayPeriods) {
		if (labelDelayPeriods == null) {
			return policies;
		}
		List<BacktestPolicy> out = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (BacktestPolicy p : policies) {
			for (int d : LabelDelay.shown(labelDelayPeriods)) {
				BacktestPolicy delayed = p.withLabelDelay(LabelDelay.name(p.name(), d), d);
				if (!names.add(delayed.name())) {
					throw new IllegalArgumentException(
							"policy '" + p.name() + "': with " + LabelDelay.FIELD + " its row for delay " + d
									+ " would be named " + delayed.name() + ", the name of another policy");
				}
				out.add(delayed);
			}
		}
		return out;
	}

	/** When the labels of a policy's replay arrive. */
	LabelDelay labelDelay(BacktestPolicy policy) {
		return new LabelDelay(policy.labelDelayPeriods(), this.request.periodDays());
	}

	/** The pipeline file a policy's sandbox loads. */
	String sandboxYaml(BacktestPolicy policy) {
		return SandboxYaml.of(this.request.pipelineYaml(), this.data, this.request.dataDir(), policy);
	}

}

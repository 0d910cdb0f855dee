package dev.retrain.jobs.backtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.retrain.jobs.backtest.BacktestApplication.RunExecutor;
import dev.retrain.jobs.backtest.BacktestApplication.SimulatedClock;
import dev.retrain.jobs.backtest.BacktestPlan.Span;
import dev.retrain.jobs.backtest.PeriodScorer.Scores;
import dev.retrain.jobs.backtest.BacktestReport.ChampionChange;
import dev.retrain.jobs.backtest.BacktestReport.Period;
import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;
import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.store.ModelStore;

/**
 * Replays retraining policies over a pipeline's history, test-then-train: for each period the current
 * champion scores it before its labels are used; then the policy decides, with the product's own code
 * (Quartz's cron parser, the drift checker and its events with their cooldown, the retrain job and its
 * promotion policy) under a simulated clock. Each policy runs in its own sandbox (in-memory database,
 * model store under {@code workDir}), never in the live application.
 */
public class Backtester {

	private static final Logger log = LoggerFactory.getLogger(Backtester.class);

	/** The name of the train-once policy added when the request has no {@code never} policy. */
	public static final String TRAIN_ONCE = "train-once";

	/** What to replay: a pipeline file's text (its data path resolved against {@code dataDir}), the periods and the policies. */
	public record Request(String pipelineYaml, Path dataDir, Path workDir, LocalDate from, LocalDate to, int periodDays,
			int warmupDays, List<BacktestPolicy> policies) {
	}

	/**
	 * Checks a request without running it (the pipeline, the data's partitions, the periods, every policy's
	 * pipeline with its drift section), so that an interface can refuse a bad one before it starts.
	 */
	public void check(Request req) {
		BacktestPlan.of(req);
	}

	public BacktestReport run(Request req, Consumer<String> progress) {
		long start = System.nanoTime();
		BacktestPlan plan = BacktestPlan.of(req);
		List<PolicyResult> results = new ArrayList<>();
		PolicyResult trainOnce = null;
		for (BacktestPolicy policy : plan.policies()) {
			progress.accept("policy " + policy.name() + ": " + plan.periods().size() + " periods");
			PolicyResult result = replay(req, plan.def(), plan.data(), policy, plan.warmupEnd(), plan.periods(), progress);
			results.add(result);
			if (trainOnce == null && policy.type() == BacktestPolicy.Type.NEVER) {
				trainOnce = result;
			}
		}
		Metric metric = plan.def().promotion().metric();
		return new BacktestReport(plan.def().name(), metric.key(), req.periodDays(), req.warmupDays(), plan.from(),
				plan.to(), results, Baselines.of(plan.def().task(), metric, trainOnce), (System.nanoTime() - start) / 1_000_000);
	}

	private PolicyResult replay(Request req, PipelineDefinition def, Path data, BacktestPolicy policy,
			LocalDate warmupEnd, List<Span> periods, Consumer<String> progress) {
		Path sandbox = req.workDir().resolve(policy.name() + "-" + UUID.randomUUID().toString().substring(0, 8));
		String yaml = SandboxYaml.of(req.pipelineYaml(), data, policy);
		try {
			Files.createDirectories(sandbox.resolve("configs"));
			Files.writeString(sandbox.resolve("configs").resolve(def.name() + ".yaml"), yaml);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		long total = System.nanoTime();
		// settings as command-line arguments (they beat any application.yaml on the class path), and no
		// configuration files at all: a sandbox must never see the live database or directories
		try (ConfigurableApplicationContext ctx = new SpringApplicationBuilder(BacktestApplication.class)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.run("--spring.config.name=retrain-backtest-sandbox", "--retrain.data-dir=" + sandbox,
					"--retrain.config-dir=" + sandbox.resolve("configs"), "--retrain.node-id=backtest",
					"--spring.datasource.url=jdbc:h2:mem:backtest-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
					"--spring.batch.job.enabled=false", "--spring.batch.jdbc.initialize-schema=never",
					"--spring.flyway.locations=classpath:db/migration/common,classpath:db/migration/{vendor}",
					"--spring.main.banner-mode=off", "--logging.level.dev.retrain=WARN",
					"--logging.level.org.springframework=WARN", "--logging.level.org.flywaydb=WARN",
					"--logging.level.ai.djl=WARN", "--logging.level.org.apache=WARN");
				PeriodScorer scorer = new PeriodScorer(ctx.getBean(ModelStore.class), def.name(), data)) {
			Sandbox s = new Sandbox(ctx, def.name());
			Metric metric = def.promotion().metric();
			List<Period> timeline = new ArrayList<>();
			List<ChampionChange> champions = new ArrayList<>();
			long trainingMillis = 0;
			long checkMillis = 0;
			long scoringMillis = 0;
			long rowsTrained = 0;
			int retrains = 0;
			s.clock.set(warmupEnd.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
			RunRecord first = s.retrain(warmupEnd, "warm-up");
			trainingMillis += s.millis(first);
			rowsTrained += s.trainRows(first);
			s.championSince(warmupEnd, champions);
			Instant lastFire = warmupEnd.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
			SimulatedCron cron = (policy.cron() != null) ? SimulatedCron.parse(policy.cron()) : null;
			for (int i = 0; i < periods.size(); i++) {
				LocalDate pStart = periods.get(i).start();
				LocalDate pEnd = periods.get(i).end();
				long t0 = System.nanoTime();
				Integer champion = s.registry.champion(def.name()).orElse(null);
				Scores scores = scorer.score(periods.get(i), champion);
				scoringMillis += (System.nanoTime() - t0) / 1_000_000;
				// the period is over: its labels are known, the policy decides (at the start of the next day)
				s.clock.set(pEnd.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
				String why = null;
				DriftReport drift = null;
				Map<String, Double> psi = null;
				long t1 = System.nanoTime();
				boolean byDrift = false;
				if (policy.type() == BacktestPolicy.Type.DRIFT || policy.type() == BacktestPolicy.Type.COMBINED) {
					// the drift check of the period: a positive one becomes a drift event, which may start a retrain
					drift = s.checker.check(def.name(), pEnd, "backtest");
					byDrift = drift.status() == DriftReport.Status.DRIFT && drift.outcome() != null
							&& drift.outcome().startsWith("STARTED_RUN");
					why = byDrift ? drift.summary() : null;
				}
				if (cron != null) {
					Instant fired = cron.lastFireBetween(lastFire, s.clock.instant());
					if (fired != null) {
						lastFire = fired;
						// a drift retrain at the same moment stands for the scheduled one (the pipeline is busy)
						why = (why == null) ? "cron fired at " + fired : why + "; cron fired at " + fired;
					}
				}
				if (policy.type() == BacktestPolicy.Type.FIXED_PSI) {
					psi = scorer.psi(periods.get(i), champion);
					why = psi.entrySet()
						.stream()
						.filter(e -> e.getValue() > policy.psiThreshold())
						.findFirst()
						.map(e -> String.format(Locale.ROOT, "PSI of %s = %.3f > %.2f", e.getKey(), e.getValue(),
								policy.psiThreshold()))
						.orElse(null);
				}
				checkMillis += (System.nanoTime() - t1) / 1_000_000;
				boolean retrained = false;
				boolean promoted = false;
				if (why != null) {
					RunRecord run = byDrift ? s.awaitLatest() : s.retrain(pEnd, why);
					retrained = true;
					retrains++;
					trainingMillis += s.millis(run);
					rowsTrained += s.trainRows(run);
					promoted = run.decision() == Decision.PROMOTE;
					if (promoted) {
						s.championSince(pEnd, champions);
					}
				}
				timeline.add(new Period(pStart, pEnd, scores.rows(), scores.metric(def.task(), metric), champion, retrained,
						promoted, why, drift, psi, scores.reported(def.task()), scores.labels()));
				if ((i + 1) % 50 == 0) {
					progress.accept("policy " + policy.name() + ": period " + (i + 1) + " of " + periods.size());
				}
			}
			double mean = timeline.stream().mapToDouble(Period::metric).filter(Double::isFinite).average().orElse(Double.NaN);
			int promotions = (int) timeline.stream().filter(Period::promoted).count();
			return new PolicyResult(policy.name(), policy.describe(), mean, timeline.size(), retrains, promotions, rowsTrained,
					trainingMillis, checkMillis, scoringMillis, (System.nanoTime() - total) / 1_000_000, timeline, champions);
		}
	}

	/** The beans a policy's replay uses inside its sandbox. */
	private static final class Sandbox {

		final SimulatedClock clock;

		final RunLauncher launcher;

		final RunRecords runs;

		final ModelRegistry registry;

		final DriftChecker checker;

		final RunExecutor executor;

		final PipelineDefinition def;

		Sandbox(ConfigurableApplicationContext ctx, String pipeline) {
			this.clock = ctx.getBean(SimulatedClock.class);
			this.launcher = ctx.getBean(RunLauncher.class);
			this.runs = ctx.getBean(RunRecords.class);
			this.registry = ctx.getBean(ModelRegistry.class);
			this.checker = ctx.getBean(DriftChecker.class);
			this.executor = ctx.getBean(RunExecutor.class);
			this.def = ctx.getBean(PipelineCatalog.class).get(pipeline);
		}

		RunRecord retrain(LocalDate asOf, String why) {
			LaunchedRun run = this.launcher.launch(new RunLauncher.Request(this.def.name(), asOf, "bt-" + asOf, null,
					Trigger.SCHEDULE, "backtest: " + why));
			return await(run.runId());
		}

		/** The retrain a drift event started (the event went through the product's cooldown and merge rules). */
		RunRecord awaitLatest() {
			RunRecord latest = this.runs.recent(this.def.name(), 1).get(0);
			return await(latest.runId());
		}

		RunRecord await(long runId) {
			this.executor.awaitIdle();
			RunRecord r = this.runs.find(runId)
				.filter(found -> found.endedAt() != null)
				.orElseThrow(() -> new IllegalStateException("backtest retrain " + runId + " has no end"));
			if (!"COMPLETED".equals(r.status())) {
				log.warn("backtest retrain {} for {} ended {}: {}", runId, r.asOf(), r.status(), r.failureReason());
			}
			return r;
		}

		/** Training time as the trainer measured it (epochs only, not data loading or evaluation). */
		long millis(RunRecord r) {
			if (r.details() == null) {
				return 0;
			}
			var node = dev.retrain.models.store.Json.MAPPER.readTree(r.details()).at("/training/trainingMillis");
			return node.isNumber() ? node.asLong() : 0;
		}

		long trainRows(RunRecord r) {
			if (r.details() == null) {
				return 0;
			}
			var node = dev.retrain.models.store.Json.MAPPER.readTree(r.details()).at("/training/trainRows");
			return node.isNumber() ? node.asLong() : 0;
		}

		void championSince(LocalDate asOf, List<ChampionChange> champions) {
			this.registry.champion(this.def.name()).ifPresent(v -> {
				if (champions.isEmpty() || champions.get(champions.size() - 1).version() != v) {
					champions.add(new ChampionChange(asOf, v));
				}
			});
		}

	}


}

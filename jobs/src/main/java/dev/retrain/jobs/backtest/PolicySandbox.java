package dev.retrain.jobs.backtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.retrain.jobs.backtest.BacktestApplication.RunExecutor;
import dev.retrain.jobs.backtest.BacktestApplication.SimulatedClock;
import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.files.PathSegment;
import dev.retrain.models.json.Json;
import dev.retrain.models.store.ModelStore;

/**
 * One policy's sandbox: a {@link BacktestApplication} of its own (in-memory database,
 * model store and pipeline file under a fresh directory) whose clock the backtest moves,
 * and the product operations a replay uses in it.
 */
final class PolicySandbox implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(PolicySandbox.class);

	private final ConfigurableApplicationContext ctx;

	private final String pipeline;

	private final SimulatedClock clock;

	private final RunExecutor executor;

	private final RunLauncher launcher;

	private final RunRecords runs;

	private final ModelRegistry registry;

	private final DriftChecker checker;

	private final ModelStore store;

	private PolicySandbox(ConfigurableApplicationContext ctx, String pipeline) {
		this.ctx = ctx;
		this.pipeline = pipeline;
		this.clock = ctx.getBean(SimulatedClock.class);
		this.executor = ctx.getBean(RunExecutor.class);
		this.launcher = ctx.getBean(RunLauncher.class);
		this.runs = ctx.getBean(RunRecords.class);
		this.registry = ctx.getBean(ModelRegistry.class);
		this.checker = ctx.getBean(DriftChecker.class);
		this.store = ctx.getBean(ModelStore.class);
	}

	/**
	 * A retrain that ended: its record, and the training rows and time (epochs only) as
	 * the trainer measured them.
	 */
	record Retrain(RunRecord run, long trainingMillis, long trainRows) {

		static Retrain of(RunRecord run) {
			return new Retrain(run, detail(run, "/training/trainingMillis"), detail(run, "/training/trainRows"));
		}

		boolean promoted() {
			return this.run.decision() == Decision.PROMOTE;
		}

		private static long detail(RunRecord run, String pointer) {
			if (run.details() == null) {
				return 0;
			}
			var node = Json.MAPPER.readTree(run.details()).at(pointer);
			return node.isNumber() ? node.asLong() : 0;
		}

	}

	/**
	 * Boots a sandbox for a policy under a fresh directory of {@code workDir}, loading
	 * {@code pipelineYaml} as its one pipeline, named {@code pipeline}.
	 */
	static PolicySandbox open(Path workDir, String policy, String pipeline, String pipelineYaml) {
		String name = PathSegment.key("policy", policy).value();
		Path dir = new PathSegment(
				name.substring(0, Math.min(name.length(), 40)) + "-" + UUID.randomUUID().toString().substring(0, 8))
			.in(workDir);
		try {
			Path configs = Files.createDirectories(dir.resolve("configs"));
			Files.writeString(configs.resolve(PathSegment.name("pipeline", pipeline).value() + ".yaml"), pipelineYaml);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ConfigurableApplicationContext ctx = new SpringApplicationBuilder(BacktestApplication.class)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.run(arguments(dir));
		return new PolicySandbox(ctx, pipeline);
	}

	/**
	 * Settings as command-line arguments (they beat any application.yaml on the class
	 * path), and no configuration files at all: a sandbox must never see the live
	 * database or directories.
	 */
	static String[] arguments(Path dir) {
		return new String[] { "--spring.config.name=retrain-backtest-sandbox", "--retrain.data-dir=" + dir,
				"--retrain.config-dir=" + dir.resolve("configs"), "--retrain.node-id=backtest",
				"--spring.datasource.url=jdbc:h2:mem:backtest-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
				"--spring.batch.job.enabled=false", "--spring.batch.jdbc.initialize-schema=never",
				// the replay weighs its committee itself; the sandbox's drift checks look
				// at the champion alone
				"--retrain.drift.committee-vote=false",
				"--spring.flyway.locations=classpath:db/migration/common,classpath:db/migration/{vendor}",
				"--spring.main.banner-mode=off", "--logging.level.dev.retrain=WARN",
				"--logging.level.org.springframework=WARN", "--logging.level.org.flywaydb=WARN",
				"--logging.level.ai.djl=WARN", "--logging.level.org.apache=WARN", "--logging.level.com.zaxxer=WARN",
				// warnings that mean nothing here: Flyway has not verified this H2
				// version, and
				// no GPU on a CPU-only machine
				"--logging.level.org.flywaydb.core.internal.database.base.Database=ERROR",
				"--logging.level.ai.djl.util.cuda=ERROR" };
	}

	/** Midnight (UTC) at the start of a day, when the backtest's decisions are taken. */
	static Instant startOf(LocalDate day) {
		return day.atStartOfDay(ZoneOffset.UTC).toInstant();
	}

	/** Moves the sandbox's clock to the start of {@code day}. */
	void startDay(LocalDate day) {
		this.clock.set(startOf(day));
	}

	Instant now() {
		return this.clock.instant();
	}

	ModelStore store() {
		return this.store;
	}

	Optional<Integer> champion() {
		return this.registry.champion(this.pipeline);
	}

	/**
	 * The pipeline's drift check of the days up to {@code asOf}, whose labels are known
	 * up to {@code labelsUntil}: a positive one submits a drift event, whose retrain runs
	 * for {@code labelsUntil}.
	 */
	DriftReport checkDrift(LocalDate asOf, LocalDate labelsUntil) {
		return this.checker.check(this.pipeline, asOf, labelsUntil, "backtest");
	}

	/** Retrains on the data up to {@code asOf} and returns once the run has ended. */
	Retrain retrain(LocalDate asOf, String why) {
		LaunchedRun run = this.launcher.launch(
				new RunLauncher.Request(this.pipeline, asOf, "bt-" + asOf, null, Trigger.SCHEDULE, "backtest: " + why));
		return await(run.runId());
	}

	/**
	 * The retrain a drift event started (the event went through the product's cooldown
	 * and merge rules), once it has ended.
	 */
	Retrain retrainStartedByDrift() {
		return await(this.runs.recent(this.pipeline, 1).get(0).runId());
	}

	private Retrain await(long runId) {
		this.executor.awaitIdle();
		RunRecord r = this.runs.find(runId)
			.filter(found -> found.endedAt() != null)
			.orElseThrow(() -> new IllegalStateException("backtest retrain " + runId + " has no end"));
		if (!"COMPLETED".equals(r.status())) {
			log.warn("backtest retrain {} for {} ended {}: {}", runId, r.asOf(), r.status(), r.failureReason());
		}
		return Retrain.of(r);
	}

	@Override
	public void close() {
		this.ctx.close();
	}

}

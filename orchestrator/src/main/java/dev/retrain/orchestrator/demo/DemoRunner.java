package dev.retrain.orchestrator.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.drift.DriftEvent;
import dev.retrain.jobs.drift.DriftEvents;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.pipeline.DriftPolicy;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.AliasChange;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunFinished;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.orchestrator.security.GeneratedPassword;

/**
 * {@code --demo}: generates sample data for the {@code sample} pipeline if it has none
 * (with a shift six weeks before its last day, see {@link DemoTimeline}) and plays the
 * whole loop: a retrain as of the day before the shift becomes champion v1; a drift check
 * as of the last day finds the drift and, through the drift-event path, starts a retrain
 * that is decided on the newer holdout by the pipeline's own promotion policy. On a data
 * directory where the loop has already run it starts nothing and prints what is there.
 * With {@code --exit} the application then stops (exit code 0 when every run it started
 * completed); otherwise it keeps serving the API.
 */
@Component
class DemoRunner implements ApplicationRunner {

	private final Map<Long, CompletableFuture<RunRecord>> ended = new ConcurrentHashMap<>();

	static final String PIPELINE = "sample";

	private final RetrainProperties props;

	private final PipelineCatalog catalog;

	private final PipelineData pipelineData;

	private final RunLauncher launcher;

	private final RunRecords runs;

	private final DriftChecker checker;

	private final DriftEvents events;

	private final ModelRegistry registry;

	private final ModelStore store;

	private final ConfigurableApplicationContext context;

	private final Environment env;

	private final Clock clock;

	DemoRunner(RetrainProperties props, PipelineCatalog catalog, PipelineData pipelineData, RunLauncher launcher,
			RunRecords runs, DriftChecker checker, DriftEvents events, ModelRegistry registry, ModelStore store,
			ConfigurableApplicationContext context, Environment env, Clock clock) {
		this.props = props;
		this.catalog = catalog;
		this.pipelineData = pipelineData;
		this.launcher = launcher;
		this.runs = runs;
		this.checker = checker;
		this.events = events;
		this.registry = registry;
		this.store = store;
		this.context = context;
		this.env = env;
		this.clock = clock;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		if (!args.containsOption("demo")) {
			return;
		}
		PrintStream out = System.out;
		PipelineDefinition def = this.catalog.get(PIPELINE);
		Path data = this.props.resolveData(def.dataPath()).localPath();
		DemoTimeline timeline;
		if (data != null && !Files.isDirectory(data)) {
			timeline = DemoTimeline.endingOn(LocalDate.now(this.clock.withZone(ZoneOffset.UTC)).minusDays(1));
			generate(timeline, data, out);
		}
		else {
			timeline = DemoTimeline.endingOn(this.pipelineData.newestDay(def));
		}
		boolean completed = loop(def, timeline, out);
		String port = this.env.getProperty("local.server.port", "8080");
		if (args.containsOption("exit")) {
			int code = completed ? 0 : 1;
			out.printf(
					"%nStopping (--exit). Without --exit the demo keeps serving the console at http://localhost:%s/%n",
					port);
			System.exit(SpringApplication.exit(this.context, () -> code));
		}
		if (GeneratedPassword.get() != null) {
			out.printf(
					"%nNo users are configured: for this start only, user 'admin' has the password %s%n"
							+ "   e.g. curl -u admin:%s http://localhost:%s/api/pipelines%n",
					GeneratedPassword.get(), GeneratedPassword.get(), port);
		}
		out.printf(
				"%nThe console is at http://localhost:%s/ (the REST API under /api, Swagger UI at /swagger-ui.html). "
						+ "Ctrl-C stops it.%n",
				port);
	}

	/**
	 * The loop, from where an earlier start left it: the first retrain when the pipeline
	 * has no version yet, the drift check (and the retrain it starts) when no drift has
	 * triggered a retrain yet. True when every run started here completed.
	 */
	private boolean loop(PipelineDefinition def, DemoTimeline timeline, PrintStream out)
			throws InterruptedException, ExecutionException {
		boolean completed = true;
		boolean ranBefore = true;
		if (this.registry.versions(PIPELINE).isEmpty()) {
			ranBefore = false;
			out.printf("%n-- 1. a first retrain as of %s, the last day before the data shifts on %s%n",
					timeline.firstRetrain(), timeline.shiftFrom());
			LaunchedRun launched = this.launcher.launch(new RunLauncher.Request(PIPELINE, timeline.firstRetrain(), null,
					null, Trigger.MANUAL, "demo: the first retrain, before the shift"));
			completed = runToEnd(launched, out);
			if (!completed) {
				return false;
			}
		}
		if (this.runs.search(PIPELINE, null, Trigger.DRIFT.key(), null, null, 0, 1).total() == 0) {
			ranBefore = false;
			completed = driftAndRetrain(def, timeline, out);
		}
		if (ranBefore) {
			out.printf("%nThe demo's loop ran on an earlier start with this data directory (%s): nothing started.%n"
					+ "To play it again, start with a fresh one: remove it, or pass --retrain.data-dir=<another>.%n",
					this.props.dataDir().toAbsolutePath().normalize());
		}
		summary(out);
		return completed;
	}

	private boolean driftAndRetrain(PipelineDefinition def, DemoTimeline timeline, PrintStream out)
			throws InterruptedException, ExecutionException {
		DriftPolicy policy = def.drift();
		long days = timeline.driftCheck().toEpochDay() - timeline.firstRetrain().toEpochDay();
		out.printf(
				"%n-- 2. a drift check as of %s, %d days later (the data shifted on %s; window: the last %d day%s)%n",
				timeline.driftCheck(), days, timeline.shiftFrom(), policy.currentDays(),
				(policy.currentDays() == 1) ? "" : "s");
		if (policy.cooldownHours() == 0) {
			out.printf(
					"   (sample.yaml sets drift.cooldown-hours: 0: the demo plays these %d days within a minute, and%n"
							+ "    the default 24 h after the first retrain would suppress the retrain this check asks for)%n",
					days);
		}
		else {
			out.printf("   (drift.cooldown-hours is %s: a retrain within it after the first one is suppressed)%n",
					fmtHours(policy.cooldownHours()));
		}
		DriftReport report = this.checker.check(PIPELINE, timeline.driftCheck(), "demo");
		out.printf("   drift check %d: %s against champion v%s%n", report.id(), report.status(),
				report.championVersion());
		out.printf("   %s%n", report.summary());
		if (report.status() != DriftReport.Status.DRIFT) {
			out.printf("   no drift, so no retrain: the loop stops here%n");
			return true;
		}
		out.printf("   drift event: %s%n", report.outcome());
		DriftEvent event = this.events.find("drift-check", "report-" + report.id()).orElseThrow();
		if (!DriftEvents.STARTED_RUN.equals(event.outcome()) || event.runId() == null) {
			return true;
		}
		out.printf("%n-- 3. the retrain that the drift started, decided on the newer holdout%n");
		RunRecord run = this.runs.find(event.runId()).orElseThrow();
		return runToEnd(new LaunchedRun(run.runId(), PIPELINE, run.asOf(), run.runKey(), run.trigger()), out);
	}

	private boolean runToEnd(LaunchedRun launched, PrintStream out) throws InterruptedException, ExecutionException {
		out.printf("%n== run %d of pipeline '%s' for %s started (trigger %s, run key %s)%n", launched.runId(), PIPELINE,
				launched.asOf(), launched.trigger(), launched.runKey());
		RunRecord run = awaitEnd(launched.runId(), out);
		report(run, out);
		return "COMPLETED".equals(run.status());
	}

	private void generate(DemoTimeline timeline, Path data, PrintStream out) throws IOException {
		out.printf(
				"generating %d days of sample data (%s .. %s) into %s;%n   from %s on, customers and what makes "
						+ "them churn change (a covariate shift and a concept drift)%n",
				DemoTimeline.DAYS, timeline.start(), timeline.end(), data, timeline.shiftFrom());
		new SampleDataGenerator().write(data, timeline.spec());
	}

	private static String fmtHours(double hours) {
		return (hours == Math.rint(hours)) ? String.valueOf((long) hours) : String.valueOf(hours);
	}

	/**
	 * Completed when the run's {@link RunFinished} event comes (whichever of the two
	 * sides comes first creates it).
	 */
	private CompletableFuture<RunRecord> ended(long runId) {
		return this.ended.computeIfAbsent(runId, id -> new CompletableFuture<>());
	}

	@EventListener
	void on(RunFinished e) {
		ended(e.run().runId()).complete(e.run());
	}

	/** Prints the run's progress as it changes until the run has ended. */
	private RunRecord awaitEnd(long runId, PrintStream out) throws InterruptedException, ExecutionException {
		String lastProgress = null;
		CompletableFuture<RunRecord> end = ended(runId);
		while (true) {
			try {
				end.get(250, TimeUnit.MILLISECONDS);
				return this.runs.find(runId).orElseThrow();
			}
			catch (TimeoutException ex) {
				RunRecord run = this.runs.find(runId).orElseThrow();
				if (run.progress() != null && !run.progress().equals(lastProgress)) {
					out.println("   " + run.progress());
					lastProgress = run.progress();
				}
			}
		}
	}

	private void report(RunRecord run, PrintStream out) {
		out.printf("%n== run %d ended %s%n", run.runId(), run.status());
		out.printf("   data snapshot  %s (%d rows)%n", run.snapshotId(), run.rowsRead());
		if (run.failureReason() != null) {
			out.printf("   failure        %s%n", run.failureReason());
			return;
		}
		out.printf("   mode           %s (%s)%n", run.mode(), run.modeReason());
		out.printf("   decision       %s: %s%n", run.decision(), run.decisionSummary());
		if (run.candidateVersion() != null) {
			ArtifactMetadata meta = this.store.metadata(PIPELINE, run.candidateVersion());
			out.printf("   candidate v%d  trained %d epochs on %d rows at %.0f samples/s%n", meta.version(),
					meta.training().curve().size(), meta.training().trainRows(), meta.training().samplesPerSecond());
			meta.candidateMetrics()
				.forEach((holdout, m) -> out.printf("   %-14s candidate %s%s%n", holdout, fmt(m),
						(meta.championMetrics() != null && meta.championMetrics().get(holdout) != null)
								? "\n                  champion  " + fmt(meta.championMetrics().get(holdout)) : ""));
			out.printf("   model files    %s%n", this.store.describe(PIPELINE, meta.version()));
		}
	}

	/** Every version, and each move of the champion alias with its reason. */
	private void summary(PrintStream out) {
		out.printf("%n   versions of '%s' (champion: %s)%n", PIPELINE,
				this.registry.champion(PIPELINE).map(v -> "v" + v).orElse("none"));
		for (ModelVersion v : this.registry.versions(PIPELINE)) {
			out.printf("   v%-3d %-8s %-9s %s=%.4f  %s%n", v.version(), v.mode(), v.decision(), v.primaryMetric(),
					(v.primaryValue() != null) ? v.primaryValue() : Double.NaN, v.createdAt());
		}
		out.printf("   champion moves%n");
		for (AliasChange c : this.registry.history(PIPELINE)) {
			if (ModelRegistry.CHAMPION.equals(c.alias())) {
				out.printf("   %s -> %s  (run %s: %s)%n", (c.fromVersion() != null) ? "v" + c.fromVersion() : "none",
						(c.toVersion() != null) ? "v" + c.toVersion() : "none", c.runId(), c.reason());
			}
		}
	}

	private static String fmt(Map<String, Double> m) {
		StringBuilder sb = new StringBuilder();
		m.forEach((k, v) -> sb.append(k)
			.append('=')
			.append(k.equals("rows") ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.4f", v))
			.append("  "));
		return sb.toString().trim();
	}

}

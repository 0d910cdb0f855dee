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
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.runs.LaunchedRun;
import dev.retrain.jobs.runs.RunFinished;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.generator.SampleDataSpec;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.orchestrator.security.GeneratedPassword;

/**
 * {@code --demo}: generates sample data for the {@code sample} pipeline if it has none,
 * runs one retrain, and prints what happened. With {@code --exit} the application then
 * stops (exit code 0 when the run completed); otherwise it keeps serving the API.
 */
@Component
class DemoRunner implements ApplicationRunner {

	private final Map<Long, CompletableFuture<RunRecord>> ended = new ConcurrentHashMap<>();

	static final String PIPELINE = "sample";

	private static final int DAYS = 120;

	private final RetrainProperties props;

	private final PipelineCatalog catalog;

	private final RunLauncher launcher;

	private final RunRecords runs;

	private final ModelRegistry registry;

	private final ModelStore store;

	private final ConfigurableApplicationContext context;

	private final Environment env;

	private final Clock clock;

	DemoRunner(RetrainProperties props, PipelineCatalog catalog, RunLauncher launcher, RunRecords runs,
			ModelRegistry registry, ModelStore store, ConfigurableApplicationContext context, Environment env,
			Clock clock) {
		this.props = props;
		this.catalog = catalog;
		this.launcher = launcher;
		this.runs = runs;
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
		if (data != null && !Files.isDirectory(data)) {
			generate(data, out);
		}
		LaunchedRun launched = this.launcher.launch(
				new RunLauncher.Request(PIPELINE, null, null, null, Trigger.MANUAL, "demo run from the command line"));
		out.printf("%n== run %d of pipeline '%s' for %s started (run key %s)%n", launched.runId(), PIPELINE,
				launched.asOf(), launched.runKey());
		RunRecord run = awaitEnd(launched.runId(), out);
		report(run, out);
		String port = this.env.getProperty("local.server.port", "8080");
		if (args.containsOption("exit")) {
			int code = "COMPLETED".equals(run.status()) ? 0 : 1;
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

	private void generate(Path data, PrintStream out) throws IOException {
		LocalDate end = LocalDate.now(this.clock.withZone(ZoneOffset.UTC)).minusDays(1);
		LocalDate start = end.minusDays(DAYS - 1L);
		// a mild covariate shift over the last 10 days, for drift checks to find
		SampleDataSpec spec = SampleDataSpec.stable(start, DAYS, 1500, 2024).withCovariateShift(end.minusDays(9), 0.5);
		out.printf("generating %d days of sample data (%s .. %s) into %s%n", DAYS, start, end, data);
		new SampleDataGenerator().write(data, spec);
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
		out.printf("%n   versions of '%s' (champion: %s)%n", PIPELINE,
				this.registry.champion(PIPELINE).map(v -> "v" + v).orElse("none"));
		for (ModelVersion v : this.registry.versions(PIPELINE)) {
			out.printf("   v%-3d %-8s %-9s %s=%.4f  %s%n", v.version(), v.mode(), v.decision(), v.primaryMetric(),
					(v.primaryValue() != null) ? v.primaryValue() : Double.NaN, v.createdAt());
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

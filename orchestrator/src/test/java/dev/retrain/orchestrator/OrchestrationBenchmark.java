package dev.retrain.orchestrator;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.models.json.Json;
import dev.retrain.orchestrator.security.Credentials;

import static org.awaitility.Awaitility.await;

/**
 * What the orchestrator itself costs per run: the application on the embedded default (H2
 * file, local store), {@code n} pipelines over tiny data, each launched over REST and run
 * to completion, first one after the other, then {@code concurrent} launched at the same
 * moment. Per run it reads the run's own record (steps and their times, training time as
 * the trainer measured it) and reports medians and p95 of: REST launch latency, queue
 * wait, run time, and run time outside training (launch, snapshot, validation,
 * evaluation, decision, registration, and Spring Batch's own bookkeeping). Arguments:
 * {@code --pipelines=N --concurrent=N --out=DIR}.
 */
public final class OrchestrationBenchmark {

	/**
	 * One run as measured: client-side launch latency, and the server's own timings from
	 * its record.
	 */
	public record Run(String pipeline, String status, long launchMillis, long queuedMillis, long runMillis,
			long trainingMillis, long outsideTrainingMillis, Map<String, Long> stepMillis) {
	}

	/** Median and p95 of each figure over one phase's runs. */
	public record Phase(String name, int runs, long wallMillis, Map<String, double[]> medianAndP95, List<Run> detail) {
	}

	private OrchestrationBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = BenchArgs.parse(args);
		int pipelines = Integer.parseInt(a.getOrDefault("pipelines", "200"));
		int concurrent = Integer.parseInt(a.getOrDefault("concurrent", "20"));
		Path out = Path.of(a.getOrDefault("out", "target/benchmarks"));
		List<Phase> phases = run(pipelines, concurrent, out);
		System.out.println(markdown(phases));
		System.exit(0);
	}

	public static List<Phase> run(int pipelines, int concurrent, Path out) throws Exception {
		Files.createDirectories(out);
		Path work = Files.createTempDirectory(out, "orchestration-");
		Path data = work.resolve("var");
		Path configs = work.resolve("configs");
		PipelineFixtures.sampleData(data, "tiny", 40, 3);
		String model = """
				family: mlp
				hidden-layers: [8]
				epochs: 2
				batch-size: 128
				learning-rate: 0.01
				early-stopping:
				  patience: 0
				seed: 7""";
		for (int i = 0; i < pipelines; i++) {
			PipelineFixtures.write(configs, name(i), PipelineFixtures.yaml(name(i), "tiny", model, ""));
		}
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--retrain.data-dir=" + data,
				"--retrain.config-dir=" + configs, "--logging.level.root=WARN",
				"--spring.quartz.properties.org.quartz.scheduler.instanceName=bench-" + System.nanoTime(),
				"--retrain.security.users[0].name=operator",
				"--retrain.security.users[0].password=" + Credentials.hashPassword("operator-pw"),
				"--retrain.security.users[0].roles[0]=operator", "--retrain.security.api-keys[0].name=bench",
				"--retrain.security.api-keys[0].sha256=" + Credentials.hashApiKey(ApiClient.API_KEY),
				"--retrain.security.api-keys[0].roles[0]=operator"));
		List<Phase> phases = new ArrayList<>();
		try (ConfigurableApplicationContext app = SpringApplication.run(RetrainApplication.class,
				args.toArray(String[]::new))) {
			int port = ((WebServerApplicationContext) app).getWebServer().getPort();
			// automation authenticates with an API key (one SHA-256); HTTP Basic checks a
			// bcrypt hash per request
			ApiClient api = ApiClient.apiKey(port, ApiClient.API_KEY);
			launchAndWait(api, "warm-up", name(0));
			phases.add(authentication(api, ApiClient.as(port, ApiClient.OPERATOR)));

			long t0 = System.nanoTime();
			List<Run> sequential = new ArrayList<>();
			for (int i = 0; i < pipelines; i++) {
				sequential.add(launchAndWait(api, "back-to-back", name(i)));
			}
			phases.add(phase("back to back (" + pipelines + " pipelines, one after the other)", sequential,
					(System.nanoTime() - t0) / 1_000_000));

			ExecutorService pool = Executors.newFixedThreadPool(concurrent);
			try {
				CountDownLatch start = new CountDownLatch(1);
				List<Future<Run>> futures = new ArrayList<>();
				for (int i = 0; i < Math.min(concurrent, pipelines); i++) {
					String pipeline = name(i);
					Callable<Run> task = () -> {
						start.await();
						return launchAndWait(api, "at-once", pipeline);
					};
					futures.add(pool.submit(task));
				}
				long t1 = System.nanoTime();
				start.countDown();
				List<Run> atOnce = new ArrayList<>();
				for (Future<Run> f : futures) {
					atOnce.add(f.get());
				}
				phases.add(phase(futures.size() + " launched at once", atOnce, (System.nanoTime() - t1) / 1_000_000));
			}
			finally {
				pool.shutdownNow();
			}
		}
		Json.write(out.resolve("orchestration.json"), phases);
		Files.writeString(out.resolve("orchestration.md"), markdown(phases));
		return phases;
	}

	/** The same cheap request, 50 times with each way of authenticating. */
	private static Phase authentication(ApiClient key, ApiClient basic) throws Exception {
		long[][] millis = new long[2][50];
		for (int i = 0; i < 50; i++) {
			for (int k = 0; k < 2; k++) {
				long t0 = System.nanoTime();
				HttpResponse<String> r = ((k == 0) ? key : basic).send("GET", "/api/pipelines/" + name(0), null, null);
				millis[k][i] = (System.nanoTime() - t0) / 1_000_000;
				if (r.statusCode() != 200) {
					throw new IllegalStateException("GET answered " + r.statusCode() + ": " + r.body());
				}
			}
		}
		Map<String, double[]> stats = new LinkedHashMap<>();
		stats.put("GET /api/pipelines/{name} with an API key", stat(millis[0]));
		stats.put("GET /api/pipelines/{name} with HTTP Basic (bcrypt once, then remembered)", stat(millis[1]));
		return new Phase("authentication (50 requests each, alternating)", 100, 0, stats, List.of());
	}

	static String name(int i) {
		return String.format(Locale.ROOT, "p%03d", i);
	}

	private static Run launchAndWait(ApiClient api, String key, String pipeline) throws Exception {
		long t0 = System.nanoTime();
		HttpResponse<String> launched = api.send("POST", "/api/pipelines/" + pipeline + "/runs", "application/json",
				"{\"asOf\":\"" + PipelineFixtures.LAST + "\",\"runKey\":\"" + key + "\"}");
		long launchMillis = (System.nanoTime() - t0) / 1_000_000;
		if (launched.statusCode() != 202) {
			throw new IllegalStateException(
					"launch of " + pipeline + " answered " + launched.statusCode() + ": " + launched.body());
		}
		long runId = Json.MAPPER.readTree(launched.body()).get("runId").asLong();
		JsonNode[] run = new JsonNode[1];
		await().atMost(Duration.ofMinutes(10))
			.pollDelay(Duration.ZERO)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> {
				run[0] = Json.MAPPER.readTree(api.send("GET", "/api/runs/" + runId, null, null).body());
				return run[0].hasNonNull("endedAt");
			});
		JsonNode r = run[0];
		Map<String, Long> steps = new LinkedHashMap<>();
		Instant firstStep = null;
		for (JsonNode s : r.get("steps")) {
			steps.put(s.get("name").asString(), s.get("millis").asLong());
			if (firstStep == null) {
				firstStep = Instant.parse(s.get("startedAt").asString());
			}
		}
		Instant created = Instant.parse(r.get("createdAt").asString());
		Instant ended = Instant.parse(r.get("endedAt").asString());
		long queued = (firstStep != null) ? Duration.between(created, firstStep).toMillis() : 0;
		long runMillis = Duration.between((firstStep != null) ? firstStep : created, ended).toMillis();
		long training = r.at("/details/training/trainingMillis").asLong();
		return new Run(pipeline, r.get("status").asString(), launchMillis, queued, runMillis, training,
				runMillis - training, steps);
	}

	private static Phase phase(String name, List<Run> runs, long wall) {
		Map<String, double[]> stats = new LinkedHashMap<>();
		stats.put("REST launch latency", stat(runs.stream().mapToLong(Run::launchMillis).toArray()));
		stats.put("queued before the first step", stat(runs.stream().mapToLong(Run::queuedMillis).toArray()));
		stats.put("run (first step start to end)", stat(runs.stream().mapToLong(Run::runMillis).toArray()));
		stats.put("training (the trainer's epochs)", stat(runs.stream().mapToLong(Run::trainingMillis).toArray()));
		stats.put("run outside training", stat(runs.stream().mapToLong(Run::outsideTrainingMillis).toArray()));
		for (String step : runs.get(0).stepMillis().keySet()) {
			stats.put("step " + step,
					stat(runs.stream().mapToLong(r -> r.stepMillis().getOrDefault(step, 0L)).toArray()));
		}
		return new Phase(name, runs.size(), wall, stats, runs);
	}

	private static double[] stat(long[] values) {
		long[] v = values.clone();
		java.util.Arrays.sort(v);
		double median = (v.length % 2 == 1) ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
		double p95 = v[(int) Math.min(v.length - 1, Math.ceil(0.95 * v.length) - 1)];
		return new double[] { median, p95 };
	}

	static String markdown(List<Phase> phases) {
		StringBuilder sb = new StringBuilder();
		for (Phase p : phases) {
			sb.append(p.detail().isEmpty()
					? String.format(Locale.ROOT, "%n%s%n%n| ms | median | p95 |%n| --- | --- | --- |%n", p.name())
					: String.format(Locale.ROOT,
							"%n%s: %d runs, %.1f s wall, every run %s%n%n| ms | median | p95 |%n| --- | --- | --- |%n",
							p.name(), p.runs(), p.wallMillis() / 1000.0,
							p.detail().stream().allMatch(r -> r.status().equals("COMPLETED")) ? "COMPLETED"
									: "NOT all completed"));
			p.medianAndP95()
				.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f |%n", k, v[0], v[1])));
		}
		return sb.toString();
	}

}

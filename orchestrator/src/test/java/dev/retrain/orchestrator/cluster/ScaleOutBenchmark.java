package dev.retrain.orchestrator.cluster;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.TestPostgres;
import dev.retrain.orchestrator.BenchArgs;
import dev.retrain.orchestrator.cluster.NodeProcesses.Node;

import static org.awaitility.Awaitility.await;

/**
 * Training on workers, measured with real processes on PostgreSQL and RabbitMQ (all on
 * this machine; data, model store and workspaces in one local directory all processes
 * share):
 * <ol>
 * <li>throughput: {@code --trainings} equal runs (one per pipeline) launched at once on
 * one orchestrator node, through 1 worker and then 2 workers (one slot each): wall time
 * from the first launch to the last run's end, and the ratio;</li>
 * <li>the latency a remote step adds: {@code --sequential} runs one after another on an
 * idle worker. For each remote step, the node's step ({@code train}, {@code evaluate})
 * lasts longer than the worker's step ({@code train-on-worker}) by the time to send the
 * request, take it from the queue and notice the end (the node polls the job repository
 * every {@code retrain.workers.poll-interval}). The same runs executed locally (no
 * workers) give the local step times.</li>
 * </ol>
 * Arguments: {@code --trainings=40 --sequential=15 --poll-interval=1s --out=DIR}. Prints
 * and writes {@code scale-out.md}.
 */
public final class ScaleOutBenchmark {

	static final String API_KEY = "bench-admin";

	/** About 3 s of training per run on one core. */
	static final String MODEL = """
			family: mlp
			hidden-layers: [32, 16]
			epochs: 12
			batch-size: 128
			learning-rate: 0.01
			early-stopping:
			  patience: 0
			seed: 7""";

	private ScaleOutBenchmark() {
	}

	record Phase(String name, int runs, double seconds, List<Double> addedMs, List<Double> trainMs,
			List<Double> evaluateMs) {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = BenchArgs.parse(args);
		int trainings = Integer.parseInt(a.getOrDefault("trainings", "40"));
		int sequential = Integer.parseInt(a.getOrDefault("sequential", "15"));
		String poll = a.getOrDefault("poll-interval", "1s");
		Path out = Files.createDirectories(Path.of(a.getOrDefault("out", "target/benchmarks")).toAbsolutePath());
		if (!TestPostgres.reachable()) {
			throw new IllegalStateException("PostgreSQL on 127.0.0.1:5432 (database test) is needed");
		}
		List<Phase> phases = new ArrayList<>();
		phases.add(run("local", 0, 0, sequential, poll, out));
		phases.add(run("1 worker", 1, trainings, sequential, poll, out));
		phases.add(run("2 workers", 2, trainings, 0, poll, out));
		String md = markdown(phases, trainings, sequential, poll);
		Files.writeString(out.resolve("scale-out.md"), md);
		System.out.println(md);
	}

	/**
	 * One configuration: a node and {@code workers} workers (none: the node trains), the
	 * concurrent trainings, then the sequential runs.
	 */
	static Phase run(String name, int workers, int trainings, int sequential, String poll, Path out) throws Exception {
		String id = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
		String schema = TestPostgres.schema("retrain_bench");
		Path root = Files.createDirectories(out.resolve("scale-out-" + id));
		Path shared = root.resolve("shared");
		Path data = PipelineFixtures.sampleData(shared, "data", 800, 5);
		String queue = "b" + id;
		int pipelines = Math.max(trainings, sequential);
		for (int i = 0; i < pipelines; i++) {
			String p = String.format(Locale.ROOT, "p%02d", i);
			PipelineFixtures.write(root.resolve("configs"), p,
					PipelineFixtures.yaml(p, data.toString(), MODEL, "resources:\n  queue: " + queue));
		}
		List<String> common = List.of("--retrain.store-uri=" + shared.resolve("models"),
				"--retrain.workspace-uri=" + shared.resolve("work"), "--retrain.workers.poll-interval=" + poll);
		try (NodeProcesses processes = new NodeProcesses(root, schema, API_KEY)) {
			List<String> nodeArgs = new ArrayList<>(common);
			nodeArgs.add("--retrain.workers.enabled=" + (workers > 0));
			Node node = processes.start("node", false, null, nodeArgs);
			List<Node> started = new ArrayList<>(List.of(node));
			for (int w = 1; w <= workers; w++) {
				List<String> workerArgs = new ArrayList<>(common);
				workerArgs.addAll(List.of("--retrain.workers.consume=" + queue, "--retrain.workers.slots=1"));
				started.add(processes.start("worker-" + w, true, null, workerArgs));
			}
			started.forEach(processes::awaitUp);
			// the first training of each process loads PyTorch: a run per worker warms
			// them up
			List<String> warmUp = new ArrayList<>();
			for (int i = 0; i < Math.max(1, workers); i++) {
				warmUp.add(String.format(Locale.ROOT, "p%02d", i));
			}
			launchAndAwait(processes, node, schema, warmUp, "warm-up");

			double seconds = 0;
			if (trainings > 0) {
				List<String> all = new ArrayList<>();
				for (int i = 0; i < trainings; i++) {
					all.add(String.format(Locale.ROOT, "p%02d", i));
				}
				long t0 = System.nanoTime();
				launchAndAwait(processes, node, schema, all, "concurrent");
				seconds = (System.nanoTime() - t0) / 1e9;
				System.out.printf(Locale.ROOT, "%s: %d trainings in %.1f s%n", name, trainings, seconds);
			}
			for (int i = 0; i < sequential; i++) {
				launchAndAwait(processes, node, schema, List.of(String.format(Locale.ROOT, "p%02d", i)), "seq-" + i);
			}
			Phase phase = new Phase(name, trainings, seconds, added(schema), stepMs(schema, "train"),
					stepMs(schema, "evaluate"));
			TestPostgres.drop(schema);
			return phase;
		}
	}

	/** Launches one run per pipeline (run key {@code key}) and waits for them all. */
	static void launchAndAwait(NodeProcesses processes, Node node, String schema, List<String> pipelines, String key)
			throws SQLException {
		for (String p : pipelines) {
			HttpResponse<String> r = processes.post(node, "/api/pipelines/" + p + "/runs",
					"{\"runKey\":\"" + key + "\"}");
			if (r.statusCode() != 202) {
				throw new IllegalStateException("launch of " + p + ": " + r.statusCode() + " " + r.body());
			}
		}
		await().atMost(Duration.ofMinutes(30))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> count(schema, "SELECT count(*) FROM retrain_run WHERE run_key = '" + key
					+ "' AND ended_at IS NOT NULL") == pipelines.size());
		int failed = count(schema,
				"SELECT count(*) FROM retrain_run WHERE run_key = '" + key + "' AND status <> 'COMPLETED'");
		if (failed > 0) {
			throw new IllegalStateException(
					failed + " runs of " + key + " did not complete; logs in " + node.log().getParent().getParent());
		}
	}

	/**
	 * Per remote step of the sequential runs: the node's step time minus the worker's, in
	 * ms.
	 */
	static List<Double> added(String schema) throws SQLException {
		return doubles(schema, """
				SELECT EXTRACT(EPOCH FROM (m.end_time - m.start_time) - (w.end_time - w.start_time)) * 1000
				FROM batch_step_execution m
				JOIN batch_step_execution w ON w.job_execution_id = m.job_execution_id
				  AND w.step_name = m.step_name || '-on-worker'
				JOIN retrain_run r ON r.run_id = m.job_execution_id
				WHERE m.step_name IN ('train', 'evaluate') AND r.run_key LIKE 'seq-%'""");
	}

	/** The node's step times of the sequential runs, in ms. */
	static List<Double> stepMs(String schema, String step) throws SQLException {
		return doubles(schema, """
				SELECT EXTRACT(EPOCH FROM (m.end_time - m.start_time)) * 1000
				FROM batch_step_execution m JOIN retrain_run r ON r.run_id = m.job_execution_id
				WHERE m.step_name = '%s' AND r.run_key LIKE 'seq-%%'""".formatted(step));
	}

	static List<Double> doubles(String schema, String sql) throws SQLException {
		List<Double> out = new ArrayList<>();
		try (Connection c = TestPostgres.connect(schema);
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery(sql)) {
			while (rs.next()) {
				out.add(rs.getDouble(1));
			}
		}
		return out;
	}

	static int count(String schema, String sql) throws SQLException {
		List<Double> one = doubles(schema, sql);
		return one.get(0).intValue();
	}

	static double quantile(List<Double> values, double q) {
		if (values.isEmpty()) {
			return Double.NaN;
		}
		List<Double> sorted = values.stream().sorted().toList();
		return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
	}

	static String markdown(List<Phase> phases, int trainings, int sequential, String poll) {
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT,
				"%d cores, Java %s; PostgreSQL, RabbitMQ and every process on this " + "machine; poll interval %s%n%n",
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), poll));
		Phase one = phases.get(1);
		Phase two = phases.get(2);
		md.append(String.format(Locale.ROOT,
				"| %d equal trainings, launched at once | wall time | trainings/min |%n" + "| --- | ---: | ---: |%n",
				trainings));
		for (Phase p : List.of(one, two)) {
			md.append(String.format(Locale.ROOT, "| %s | %.1f s | %.1f |%n", p.name(), p.seconds(),
					60 * p.runs() / p.seconds()));
		}
		md.append(String.format(Locale.ROOT, "| **2 workers / 1 worker** | **%.2fx** | |%n%n",
				one.seconds() / two.seconds()));
		Phase local = phases.get(0);
		md.append(String.format(Locale.ROOT, "| %d runs one after another | median | p95 |%n| --- | ---: | ---: |%n",
				sequential));
		md.append(String.format(Locale.ROOT,
				"| added by a remote step (node's step - worker's step), %d steps | " + "%.0f ms | %.0f ms |%n",
				one.addedMs().size(), quantile(one.addedMs(), 0.5), quantile(one.addedMs(), 0.95)));
		for (String step : List.of("train", "evaluate")) {
			List<Double> remote = step.equals("train") ? one.trainMs() : one.evaluateMs();
			List<Double> here = step.equals("train") ? local.trainMs() : local.evaluateMs();
			md.append(String.format(Locale.ROOT, "| step `%s` on a worker | %.0f ms | %.0f ms |%n", step,
					quantile(remote, 0.5), quantile(remote, 0.95)));
			md.append(String.format(Locale.ROOT, "| step `%s` on the node (no workers) | %.0f ms | %.0f ms |%n", step,
					quantile(here, 0.5), quantile(here, 0.95)));
		}
		return md.toString();
	}

}

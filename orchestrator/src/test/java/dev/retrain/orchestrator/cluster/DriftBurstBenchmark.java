package dev.retrain.orchestrator.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.orchestrator.BenchArgs;
import dev.retrain.orchestrator.cluster.NodeProcesses.Node;

import static org.awaitility.Awaitility.await;

/**
 * A burst of drift events from external monitors through the REST endpoint they use
 * ({@code POST /api/drift-events}, an API key), on a node JVM of its own on PostgreSQL (a
 * database of the benchmark's own): {@code --events} requests (10,000) from
 * {@code --clients} concurrent clients (32), spread over {@code --pipelines} pipelines
 * (200), every event id sent {@code --copies} times (2), in a shuffled order. Each
 * pipeline's first event starts a real, cheap retrain (tiny data, a one-epoch linear
 * model); the rest merge into it or fall in the cooldown after it.
 * <p>
 * Checked and counted: every request answered (by status), every distinct event recorded
 * once and decided (none left {@code RECEIVED}), the outcomes, one run per pipeline; the
 * node's heap in use after a full collection ({@code jcmd GC.run}, then its
 * {@code jvm.memory.used} metric) and its RSS before the burst, after it, and after a
 * second burst as large of new events (all in the cooldown by then): per-event growth
 * would show as a second step up. Arguments: {@code --events=10000 --pipelines=200
 * --clients=32 --copies=2 --jvm=-Xmx512m --out=DIR}; writes {@code drift-burst.md}.
 */
public final class DriftBurstBenchmark {

	static final String API_KEY = "bench-drift-admin";

	private DriftBurstBenchmark() {
	}

	/**
	 * One burst: answers by status, outcomes answered (all, and to the first copy of each
	 * event: a duplicate arriving while its original is being decided is answered
	 * {@code RECEIVED}), duplicates answered, latencies (ms).
	 */
	public record Burst(String name, int requests, double seconds, Map<Integer, Integer> statuses,
			Map<String, Integer> outcomes, Map<String, Integer> originalOutcomes, int duplicatesAnswered,
			List<Double> latencyMs) {

		double perSecond() {
			return this.requests / this.seconds;
		}

	}

	/** The heap in use after a full collection, and the RSS (MiB). */
	public record Memory(String when, double heapMiB, double rssMiB) {
	}

	public record Result(int pipelines, List<Burst> bursts, List<Memory> memory, long distinctEvents,
			long recordedEvents, long undecided, Map<String, Long> recordedOutcomes, int pipelinesWithOneRun,
			long driftRuns, Map<String, Long> runStatuses, String markdown) {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = BenchArgs.parse(args);
		Path out = Files.createDirectories(Path.of(a.getOrDefault("out", "target/benchmarks")).toAbsolutePath());
		Result r = run(Integer.parseInt(a.getOrDefault("events", "10000")),
				Integer.parseInt(a.getOrDefault("pipelines", "200")), Integer.parseInt(a.getOrDefault("clients", "32")),
				Integer.parseInt(a.getOrDefault("copies", "2")), a.getOrDefault("jvm", "-Xmx512m"), out);
		System.out.println(r.markdown());
	}

	static String name(int i) {
		return String.format(Locale.ROOT, "d%04d", i);
	}

	public static Result run(int events, int pipelines, int clients, int copies, String jvm, Path out)
			throws Exception {
		Path root = Files.createTempDirectory(out, "drift-burst-");
		Path configs = Files.createDirectories(root.resolve("configs"));
		Path data = PipelineFixtures.sampleData(root, "data", 25, 61);
		for (int i = 0; i < pipelines; i++) {
			PipelineFixtures.write(configs, name(i),
					PipelineFixtures.yaml(name(i), data.toString(), PipelineFixtures.WEAK_MODEL, ""));
		}
		try (FleetDatabase db = FleetDatabase.create(); NodeProcesses processes = db.nodes(root, API_KEY)) {
			processes.jvmOptions(jvm.trim().split("\\s+"));
			Node node = processes.start("node", false, null, List.of("--logging.level.dev.retrain.jobs.drift=WARN"));
			PipelineFilesBenchmark.awaitReady(node, Duration.ofMinutes(10));
			List<Memory> memory = new ArrayList<>();
			memory.add(memory(node, "before the bursts"));
			List<Burst> bursts = new ArrayList<>();
			bursts.add(burst(node, "burst 1: each pipeline's first event starts its retrain", "a", events, pipelines,
					clients, copies));
			await().atMost(Duration.ofMinutes(30))
				.pollInterval(Duration.ofSeconds(2))
				.until(() -> count(db, "SELECT count(*) FROM retrain_run WHERE ended_at IS NULL") == 0);
			memory.add(memory(node, "after burst 1 and its runs"));
			bursts.add(burst(node, "burst 2: new events, every pipeline in its cooldown", "b", events, pipelines,
					clients, copies));
			memory.add(memory(node, "after burst 2"));
			return result(db, pipelines, events, copies, jvm, bursts, memory, out);
		}
	}

	static Burst burst(Node node, String name, String prefix, int events, int pipelines, int clients, int copies)
			throws Exception {
		List<String> bodies = new ArrayList<>();
		int distinct = events / copies;
		for (int e = 0; e < distinct; e++) {
			String body = "{\"pipeline\":\"" + name(e % pipelines) + "\",\"source\":\"bench\",\"eventId\":\"" + prefix
					+ "-" + e + "\",\"severity\":\"warning\",\"details\":\"share of drifted columns 0.6\"}";
			for (int c = 0; c < copies; c++) {
				bodies.add(body);
			}
		}
		Collections.shuffle(bodies, new Random(29));
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		ExecutorService pool = Executors.newFixedThreadPool(clients);
		Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
		Map<String, Integer> outcomes = new ConcurrentHashMap<>();
		Map<String, Integer> originals = new ConcurrentHashMap<>();
		AtomicInteger duplicates = new AtomicInteger();
		List<Double> latency = Collections.synchronizedList(new ArrayList<>());
		URI uri = URI.create("http://127.0.0.1:" + node.port() + "/api/drift-events");
		long t0 = System.nanoTime();
		List<Future<?>> done = new ArrayList<>();
		for (String body : bodies) {
			done.add(pool.submit(() -> {
				long s = System.nanoTime();
				int code;
				String text;
				try {
					HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri)
						.header("X-API-Key", API_KEY)
						.header("Content-Type", "application/json")
						.timeout(Duration.ofMinutes(2))
						.POST(HttpRequest.BodyPublishers.ofString(body))
						.build(), HttpResponse.BodyHandlers.ofString());
					code = r.statusCode();
					text = r.body();
				}
				catch (IOException ex) {
					code = -1;
					text = null;
				}
				latency.add((System.nanoTime() - s) / 1e6);
				statuses.merge(code, 1, Integer::sum);
				if (code == 202) {
					JsonNode j = JsonMapper.shared().readTree(text);
					outcomes.merge(j.get("outcome").asString(), 1, Integer::sum);
					if (j.path("duplicate").asBoolean(false)) {
						duplicates.incrementAndGet();
					}
					else {
						originals.merge(j.get("outcome").asString(), 1, Integer::sum);
					}
				}
				return null;
			}));
		}
		for (Future<?> f : done) {
			f.get();
		}
		double seconds = (System.nanoTime() - t0) / 1e9;
		pool.shutdown();
		pool.awaitTermination(1, TimeUnit.MINUTES);
		List<Double> sorted = new ArrayList<>(latency);
		sorted.sort(Double::compare);
		return new Burst(name, bodies.size(), seconds, new TreeMap<>(statuses), new TreeMap<>(outcomes),
				new TreeMap<>(originals), duplicates.get(), sorted);
	}

	/**
	 * A full collection in the node ({@code jcmd GC.run}), then its heap in use and RSS.
	 */
	static Memory memory(Node node, String when) throws Exception {
		long pid = node.process().pid();
		Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
				Long.toString(pid), "GC.run")
			.redirectErrorStream(true)
			.start();
		gc.getInputStream().readAllBytes();
		gc.waitFor(1, TimeUnit.MINUTES);
		HttpClient http = HttpClient.newHttpClient();
		double heap = 0;
		for (String pool : List.of("heap")) {
			String body = http.send(HttpRequest
				.newBuilder(URI
					.create("http://127.0.0.1:" + node.port() + "/actuator/metrics/jvm.memory.used?tag=area:" + pool))
				.header("X-API-Key", API_KEY)
				.build(), HttpResponse.BodyHandlers.ofString()).body();
			heap = JsonMapper.shared().readTree(body).get("measurements").get(0).get("value").asDouble();
		}
		double rss = 0;
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
			if (line.startsWith("VmRSS:")) {
				rss = Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
			}
		}
		return new Memory(when, heap / 1024 / 1024, rss);
	}

	static long count(FleetDatabase db, String sql) throws Exception {
		try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	static Map<String, Long> grouped(FleetDatabase db, String sql) throws Exception {
		Map<String, Long> out = new TreeMap<>();
		try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
			while (rs.next()) {
				out.put(rs.getString(1), rs.getLong(2));
			}
		}
		return out;
	}

	static Result result(FleetDatabase db, int pipelines, int events, int copies, String jvm, List<Burst> bursts,
			List<Memory> memory, Path out) throws Exception {
		long distinct = (long) (events / copies) * bursts.size();
		long recorded = count(db, "SELECT count(*) FROM drift_event");
		long undecided = count(db, "SELECT count(*) FROM drift_event WHERE outcome = 'RECEIVED'");
		Map<String, Long> outcomes = grouped(db, "SELECT outcome, count(*) FROM drift_event GROUP BY outcome");
		Map<String, Long> perPipeline = grouped(db,
				"SELECT pipeline, count(*) FROM retrain_run WHERE trigger_type = 'drift' GROUP BY pipeline");
		int oneRun = (int) perPipeline.values().stream().filter(n -> n == 1).count();
		long driftRuns = perPipeline.values().stream().mapToLong(Long::longValue).sum();
		Map<String, Long> runStatuses = grouped(db, "SELECT status, count(*) FROM retrain_run GROUP BY status");
		StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
				"%,d drift event requests per burst (%,d distinct events, each sent %d times, shuffled) over %,d "
						+ "pipelines, from concurrent clients on loopback with an API key; one node JVM (`%s`) on "
						+ "PostgreSQL; %s, %d cores, Java %s; at the end: " + FleetDatabase.loadAverage() + "%n%n",
				events, events / copies, copies, pipelines, jvm, LocalDate.now(),
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
		md.append("| burst | requests | wall | requests/s | p50 | p95 | p99 | max | answers | outcomes answered | "
				+ "answered as duplicates |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |\n");
		for (Burst b : bursts) {
			List<Double> l = b.latencyMs();
			md.append(String.format(Locale.ROOT,
					"| %s | %,d | %.1f s | %.0f | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %s | %s | %,d |%n", b.name(),
					b.requests(), b.seconds(), b.perSecond(), CronFleetBenchmark.pct(l, 0.5),
					CronFleetBenchmark.pct(l, 0.95), CronFleetBenchmark.pct(l, 0.99), CronFleetBenchmark.pct(l, 1.0),
					b.statuses(), b.outcomes(), b.duplicatesAnswered()));
		}
		md.append(String.format(Locale.ROOT,
				"%nRecorded: %,d of %,d distinct events (%,d left undecided), outcomes %s; drift runs %,d, "
						+ "pipelines with exactly one %,d of %,d; run statuses %s.%n%n",
				recorded, distinct, undecided, outcomes, driftRuns, oneRun, pipelines, runStatuses));
		md.append("| node memory | heap in use after a full GC | RSS |\n| --- | ---: | ---: |\n");
		for (Memory m : memory) {
			md.append(String.format(Locale.ROOT, "| %s | %.1f MiB | %.0f MiB |%n", m.when(), m.heapMiB(), m.rssMiB()));
		}
		Files.writeString(out.resolve("drift-burst.md"), md.toString());
		return new Result(pipelines, bursts, memory, distinct, recorded, undecided, outcomes, oneRun, driftRuns,
				runStatuses, md.toString());
	}

}

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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.orchestrator.BenchArgs;
import dev.retrain.orchestrator.cluster.NodeProcesses.Node;

import static org.awaitility.Awaitility.await;

/**
 * Start-up and reload with {@code --pipelines} pipeline files (1,000), each with a cron
 * of its own, measured on a node JVM of its own on PostgreSQL (a database of the
 * benchmark's own, dropped afterwards):
 * <ol>
 * <li>the first start on the empty database (every schedule is added), and a restart with
 * every schedule stored and unchanged: from starting the JVM to the node answering ready
 * ({@code /actuator/health/readiness} 200), and the parts the node logs (loading the
 * files, reconciling the schedules, Spring Boot's own "Started ... in");</li>
 * <li>a reload ({@code POST /api/pipelines/reload}, what {@code retrain.config-watch}
 * does when files change) after every file's cron was edited, so that every schedule is
 * changed, and a reload with nothing changed: the request's time, and the parts.</li>
 * </ol>
 * Checked every time: every pipeline loaded, the schedule changes are the expected ones,
 * and the stored cron triggers are the files' crons. Arguments:
 * {@code --pipelines=1000 --jvm="-Xmx1g" --jfr --no-baseline --out=DIR}; writes
 * {@code pipeline-files.md}.
 */
public final class PipelineFilesBenchmark {

	static final String API_KEY = "bench-files-admin";

	static final Pattern STARTED = Pattern
		.compile("Started RetrainApplication in ([0-9.]+) seconds \\(process running for ([0-9.]+)\\)");

	static final Pattern LOADED = Pattern
		.compile("loaded (\\d+) pipeline\\(s\\) from .* in (\\d+) ms \\((\\d+) ms of CPU\\)");

	static final Pattern RECONCILED = Pattern.compile("schedules: (\\d+) reconciled in (\\d+) ms, (\\d+) change");

	private PipelineFilesBenchmark() {
	}

	/**
	 * One measured phase: wall time in ms, the node's own figures (file loading and
	 * reconciling, ms; Spring Boot's start, s), and the schedule changes it made.
	 */
	public record Phase(String name, double wallMs, long loadMs, long loadCpuMs, long reconcileMs, double bootSeconds,
			int pipelines, int changes) {
	}

	public record Result(int pipelines, List<Phase> phases, Map<String, String> storedCrons, String markdown) {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = BenchArgs.parse(args);
		Path out = Files.createDirectories(Path.of(a.getOrDefault("out", "target/benchmarks")).toAbsolutePath());
		Result r = run(Integer.parseInt(a.getOrDefault("pipelines", "1000")), a.getOrDefault("jvm", "-Xmx1g"),
				a.containsKey("jfr"), !a.containsKey("no-baseline"), out);
		System.out.println(r.markdown());
	}

	/**
	 * The cron of pipeline {@code i}: on January the {@code day}th, never during a run.
	 */
	static String cron(int i, int day) {
		return String.format(Locale.ROOT, "0 %d %d %d 1 ?", i % 60, (i / 60) % 24, day);
	}

	static String name(int i) {
		return String.format(Locale.ROOT, "f%04d", i);
	}

	static void writeFiles(Path configs, int pipelines, int day) {
		for (int i = 0; i < pipelines; i++) {
			PipelineFixtures.write(configs, name(i), PipelineFixtures.yaml(name(i), "data", PipelineFixtures.WEAK_MODEL,
					"schedule:\n  cron: \"" + cron(i, day) + "\"\n  time-zone: UTC"));
		}
	}

	/**
	 * Runs the phases; {@code baseline}: first a start with no pipeline file, what the
	 * files' figures compare with.
	 */
	public static Result run(int pipelines, String jvm, boolean jfr, boolean baseline, Path out) throws Exception {
		Path root = Files.createTempDirectory(out, "pipeline-files-");
		Path configs = Files.createDirectories(root.resolve("configs"));
		List<Phase> phases = new ArrayList<>();
		Map<String, String> crons;
		try (FleetDatabase db = FleetDatabase.create(); NodeProcesses processes = db.nodes(root, API_KEY)) {
			List<String> options = new ArrayList<>(List.of(jvm.trim().split("\\s+")));
			if (jfr) {
				options.add("-XX:StartFlightRecording=filename=" + root.resolve("node.jfr") + ",settings=profile");
			}
			processes.jvmOptions(options.toArray(String[]::new));
			if (baseline) {
				phases.add(start(processes, "start with no pipeline file (the baseline)", "node-0"));
			}
			writeFiles(configs, pipelines, 1);
			phases.add(start(processes, "first start with the files (every schedule added)", "node-1"));
			phases.add(start(processes, "restart, every schedule stored and unchanged", "node-2"));
			Node node = processes.start("node-3", false, null, List.of("--retrain.config-watch=1h"));
			awaitReady(node, Duration.ofMinutes(15));
			writeFiles(configs, pipelines, 2);
			phases.add(reload(processes, node, "reload after editing every file's cron (every schedule changed)"));
			phases.add(reload(processes, node, "reload, nothing changed"));
			crons = storedCrons(db);
			stop(node);
		}
		String md = markdown(pipelines, jvm, phases);
		Files.writeString(out.resolve("pipeline-files.md"), md);
		return new Result(pipelines, phases, crons, md);
	}

	static Phase start(NodeProcesses processes, String name, String node) throws Exception {
		long t0 = System.nanoTime();
		Node n = processes.start(node, false, null, List.of("--retrain.config-watch=1h"));
		awaitReady(n, Duration.ofMinutes(15));
		double wall = (System.nanoTime() - t0) / 1e6;
		String log = n.logText();
		stop(n);
		Matcher started = STARTED.matcher(log);
		Matcher loaded = LOADED.matcher(log);
		Matcher reconciled = RECONCILED.matcher(log);
		if (!started.find() || !loaded.find() || !reconciled.find()) {
			throw new IllegalStateException(node + " did not log its start: " + NodeProcesses.tail(n));
		}
		return new Phase(name, wall, Long.parseLong(loaded.group(2)), Long.parseLong(loaded.group(3)),
				Long.parseLong(reconciled.group(2)), Double.parseDouble(started.group(1)),
				Integer.parseInt(loaded.group(1)), Integer.parseInt(reconciled.group(3)));
	}

	static Phase reload(NodeProcesses processes, Node node, String name) throws IOException {
		int before = node.logText().length();
		long t0 = System.nanoTime();
		HttpResponse<String> r = processes.post(node, "/api/pipelines/reload", "");
		double wall = (System.nanoTime() - t0) / 1e6;
		if (r.statusCode() != 200) {
			throw new IllegalStateException("reload answered " + r.statusCode() + ": " + r.body());
		}
		JsonNode body = JsonMapper.shared().readTree(r.body());
		String log = node.logText().substring(before);
		Matcher loaded = LOADED.matcher(log);
		Matcher reconciled = RECONCILED.matcher(log);
		if (!loaded.find() || !reconciled.find()) {
			throw new IllegalStateException("the reload was not logged: " + log);
		}
		return new Phase(name, wall, Long.parseLong(loaded.group(2)), Long.parseLong(loaded.group(3)),
				Long.parseLong(reconciled.group(2)), 0, body.get("pipelines").size(),
				body.get("scheduleChanges").size());
	}

	/**
	 * Polls readiness every 50 ms: the node is ready once its schedules are reconciled.
	 */
	static void awaitReady(Node node, Duration limit) {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		await().atMost(limit).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50)).until(() -> {
			if (!node.process().isAlive()) {
				throw new IllegalStateException(node.name() + " exited: " + NodeProcesses.tail(node));
			}
			try {
				return http
					.send(HttpRequest
						.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/actuator/health/readiness"))
						.timeout(Duration.ofSeconds(5))
						.build(), HttpResponse.BodyHandlers.discarding())
					.statusCode() == 200;
			}
			catch (IOException ex) {
				return false;
			}
		});
	}

	/** Stops a node as Kubernetes does (SIGTERM), and waits for it. */
	static void stop(Node node) throws InterruptedException {
		node.process().destroy();
		if (!node.process().waitFor(2, TimeUnit.MINUTES)) {
			node.process().destroyForcibly().waitFor();
		}
	}

	/** The stored cron triggers: pipeline to cron expression. */
	static Map<String, String> storedCrons(FleetDatabase db) throws Exception {
		Map<String, String> crons = new HashMap<>();
		try (Connection c = db.connect();
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT trigger_name, cron_expression FROM qrtz_cron_triggers")) {
			while (rs.next()) {
				crons.put(rs.getString(1), rs.getString(2));
			}
		}
		return crons;
	}

	static String markdown(int pipelines, String jvm, List<Phase> phases) {
		StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
				"%,d pipeline files, each with a cron; one node JVM (`%s`) on PostgreSQL; %s, %d cores, Java %s; at the end: "
						+ FleetDatabase.loadAverage() + "%n%n"
						+ "| what | wall | loading the files (its CPU) | reconciling the schedules | Spring Boot's start | "
						+ "pipelines | schedule changes |%n| --- | ---: | ---: | ---: | ---: | ---: | ---: |%n",
				pipelines, jvm, LocalDate.now(), Runtime.getRuntime().availableProcessors(),
				System.getProperty("java.version")));
		for (Phase p : phases) {
			md.append(String.format(Locale.ROOT, "| %s | %.2f s | %.2f s (%.2f s) | %.2f s | %s | %,d | %,d |%n",
					p.name(), p.wallMs() / 1000, p.loadMs() / 1000.0, p.loadCpuMs() / 1000.0, p.reconcileMs() / 1000.0,
					(p.bootSeconds() > 0) ? String.format(Locale.ROOT, "%.2f s", p.bootSeconds()) : "", p.pipelines(),
					p.changes()));
		}
		md.append("\nwall: a start from launching the JVM to `/actuator/health/readiness` answering 200 "
				+ "(polled every 50 ms); a reload is `POST /api/pipelines/reload` until its answer.\n");
		return md.toString();
	}

}

package dev.retrain.jobs.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.TestPostgres;
import dev.retrain.models.faults.Failpoints;
import dev.retrain.models.json.Json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * kill -9 of a real node (a JVM of its own, on an H2 file database) at every step
 * boundary of the retrain job, after a training checkpoint and inside register (files
 * staged; after the staged directory's rename into the store; after the registry row,
 * before the champion moves, inside its transaction). After each kill a new node starts
 * on the same database and directories, and:
 * <ul>
 * <li>the consistency check finds nothing (every registry row has its files and hashes,
 * no store directory without a row survived start-up, no run or lock claims to be
 * running);</li>
 * <li>the killed run, restarted, completes and registers exactly one version, which
 * becomes champion;</li>
 * <li>at the end, every champion loads from the store and a new run measures it with
 * exactly the metrics recorded when it was the candidate.</li>
 * </ul>
 */
class FaultInjectionIT {

	static final List<String> ALL_POINTS = List.of("before-snapshot", "before-validate", "before-train",
			"train.epoch-3", "after-train", "before-evaluate", "before-decide", "before-register", "register.staged",
			"register.renamed", "register.row", "after-register");

	/** {@code -Dfault.points=a,b} runs only those points (to investigate one). */
	static final List<String> POINTS = (System.getProperty("fault.points") != null)
			? List.of(System.getProperty("fault.points").split(",")) : ALL_POINTS;

	@TempDir
	Path tempDir;

	Path dir;

	@Test
	void killedAnywhereARunLeavesRegistryAndStoreConsistentAndCompletesOnRestartWithExactlyOneVersion()
			throws Exception {
		killEverywhere(POINTS, List.of());
	}

	/**
	 * The same inside register on PostgreSQL, where the registry's transaction is a
	 * server's: files staged, the staged directory renamed into the store, the row
	 * written before the champion moves.
	 */
	@Test
	void onPostgresKilledInsideRegisterARunLeavesRegistryAndStoreConsistent() throws Exception {
		TestPostgres.require(false);
		String schema = TestPostgres.schema("retrain_fault");
		try {
			killEverywhere(List.of("register.staged", "register.renamed", "register.row"),
					List.of(TestPostgres.url(schema), schema));
		}
		finally {
			TestPostgres.drop(schema);
		}
	}

	/**
	 * Kills a node at each point in turn (on H2, or on the PostgreSQL schema that
	 * {@code database} names: URL and schema) and checks what the class says.
	 */
	private void killEverywhere(List<String> points, List<String> database) throws Exception {
		// -Dfault.dir=... keeps the nodes' directories and logs for a look afterwards
		this.dir = (System.getProperty("fault.dir") != null) ? Path.of(System.getProperty("fault.dir")) : this.tempDir;
		Path data = this.dir.resolve("data");
		Path configs = this.dir.resolve("configs");
		PipelineFixtures.sampleData(data, "sample", 150, 11);
		for (int i = 0; i < points.size(); i++) {
			PipelineFixtures.write(configs, pipeline(i),
					PipelineFixtures.yaml(pipeline(i), "sample", PipelineFixtures.GOOD_MODEL, ""));
		}
		List<String> seen = new ArrayList<>();
		Node node = Node.start(this.dir, "node-0", database);
		for (int i = 0; i < points.size(); i++) {
			String point = points.get(i);
			String pipeline = pipeline(i);
			long runId = node.number(node.call("launch " + pipeline + " " + PipelineFixtures.LAST + " fault " + point),
					"runId");
			node.awaitFailpoint(point);
			node.kill9();

			node = Node.start(this.dir, "node-" + (i + 1), database);
			Map<?, ?> after = node.call("state " + pipeline);
			assertThat((List<?>) after.get("disagreements")).as("consistency after kill at %s", point).isEmpty();
			assertThat((List<?>) after.get("activeRuns")).as("runs still running after kill at %s", point).isEmpty();
			List<?> versionsAfterKill = (List<?>) after.get("versions");
			assertThat(versionsAfterKill).as("versions after kill at %s", point)
				.isEqualTo(point.equals("after-register") ? List.of(1) : List.of());
			assertThat((List<?>) after.get("storeEntries")).as("store after kill at %s", point)
				.isEqualTo(point.equals("after-register") ? List.of("1") : List.of());

			long restarted = node.number(node.call("restart " + runId), "runId");
			Map<?, ?> end = node.call("await " + restarted);
			assertThat(end.get("status")).as("restart after kill at %s: %s", point, end).isEqualTo("COMPLETED");
			Map<?, ?> done = node.call("state " + pipeline);
			assertThat((List<?>) done.get("disagreements")).as("consistency after restart (%s)", point).isEmpty();
			assertThat((List<?>) done.get("versions")).as("exactly one version (%s)", point).isEqualTo(List.of(1));
			assertThat(done.get("champion")).as("champion (%s)", point).isEqualTo(1);
			assertThat((List<?>) done.get("storeEntries")).as("store (%s)", point).isEqualTo(List.of("1"));
			seen.add(point);
		}
		// every champion, loaded from the store, measures what it recorded as candidate
		List<Long> checks = new ArrayList<>();
		for (int i = 0; i < points.size(); i++) {
			checks.add(node.number(node.call("launch " + pipeline(i) + " " + PipelineFixtures.LAST + " check -"),
					"runId"));
		}
		SoftAssertions soft = new SoftAssertions();
		for (int i = 0; i < points.size(); i++) {
			soft.assertThat(node.call("await " + checks.get(i)).get("status")).isEqualTo("COMPLETED");
			Map<?, ?> r = node.call("reproduce " + pipeline(i) + " " + checks.get(i));
			soft.assertThat(r.get("evaluatedChampion")).isEqualTo(1);
			soft.assertThat(r.get("measured"))
				.as("champion of %s (killed at %s) re-measured", pipeline(i), points.get(i))
				.isEqualTo(r.get("recorded"));
		}
		soft.assertAll();
		node.exit();
		assertThat(seen).isEqualTo(points);
	}

	private static String pipeline(int i) {
		return "fault-" + i;
	}

	/** A node process: commands on its standard input, replies and log on its output. */
	static final class Node {

		private final Process process;

		private final PrintWriter in;

		private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

		/** Failpoints reached while a reply was awaited. */
		private final List<String> reached = new ArrayList<>();

		private Node(Process process) {
			this.process = process;
			this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
		}

		static Node start(Path dir, String name, List<String> database) throws IOException, InterruptedException {
			return start(dir, name, database, null, List.of());
		}

		/**
		 * A node named {@code nodeId} (the default name when null), with more
		 * {@code --name=value} settings.
		 */
		static Node start(Path dir, String name, List<String> database, String nodeId, List<String> settings)
				throws IOException, InterruptedException {
			Path log = dir.resolve(name + ".log");
			List<String> cmd = new ArrayList<>(List.of(
					Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m", "-XX:+UseSerialGC",
					"-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
					"-Dai.djl.pytorch.num_interop_threads=1", "-cp", System.getProperty("java.class.path"),
					FaultNode.class.getName(), dir.resolve("data").toString(), dir.resolve("configs").toString(),
					dir.resolve("db").resolve("retrain").toString()));
			cmd.addAll(database);
			if (nodeId != null) {
				cmd.add("--retrain.node-id=" + nodeId);
			}
			cmd.addAll(settings);
			ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
			pb.environment().put("OMP_NUM_THREADS", "1");
			Node node = new Node(pb.start());
			Thread reader = new Thread(() -> node.pump(log), "fault-node-output");
			reader.setDaemon(true);
			reader.start();
			node.reply();
			return node;
		}

		private void pump(Path log) {
			try (BufferedReader r = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
					Writer w = Files.newBufferedWriter(log)) {
				for (String line = r.readLine(); line != null; line = r.readLine()) {
					w.write(line + "\n");
					w.flush();
					if (line.startsWith(FaultNode.REPLY) || line.startsWith(Failpoints.REACHED)) {
						this.lines.add(line);
					}
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			finally {
				this.lines.add("EXIT");
			}
		}

		private String next() throws InterruptedException {
			String line = this.lines.poll(4, TimeUnit.MINUTES);
			if (line == null || line.equals("EXIT")) {
				fail("the node stopped or said nothing for 4 minutes (see its log in the test's directory)");
			}
			return line;
		}

		private Map<?, ?> reply() throws InterruptedException {
			String line = next();
			// the run's thread may reach its failpoint before this thread prints the
			// launch's reply: kept for awaitFailpoint
			while (line.startsWith(Failpoints.REACHED)) {
				this.reached.add(line);
				line = next();
			}
			if (!line.startsWith(FaultNode.REPLY)) {
				fail("expected a reply, got: " + line);
			}
			Map<?, ?> m = Json.MAPPER.readValue(line.substring(FaultNode.REPLY.length()), Map.class);
			if (m.containsKey("error")) {
				fail("the node refused: " + m.get("error"));
			}
			return m;
		}

		Map<?, ?> call(String command) throws InterruptedException {
			this.in.println(command);
			return reply();
		}

		/** A command whose reply is a list. */
		List<?> callList(String command) throws InterruptedException {
			this.in.println(command);
			String line = next();
			while (line.startsWith(Failpoints.REACHED)) {
				this.reached.add(line);
				line = next();
			}
			if (!line.startsWith(FaultNode.REPLY)) {
				fail("expected a reply, got: " + line);
			}
			Object value = Json.MAPPER.readValue(line.substring(FaultNode.REPLY.length()), Object.class);
			if (value instanceof Map<?, ?> m && m.containsKey("error")) {
				fail("the node refused: " + m.get("error"));
			}
			return (List<?>) value;
		}

		long number(Map<?, ?> reply, String key) {
			return ((Number) reply.get(key)).longValue();
		}

		void awaitFailpoint(String point) throws InterruptedException {
			String line = this.reached.isEmpty() ? next() : this.reached.remove(0);
			assertThat(line).isEqualTo(Failpoints.REACHED + point);
		}

		/** SIGKILL: no shutdown hook, no finally block, no flush runs. */
		void kill9() throws InterruptedException {
			this.process.destroyForcibly();
			assertThat(this.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
			assertThat(this.process.exitValue()).isEqualTo(137);
		}

		/**
		 * SIGTERM, as Kubernetes stops a pod: the shutdown hooks run. Returns how long
		 * the process took to exit.
		 */
		Duration term() throws InterruptedException {
			long start = System.nanoTime();
			this.process.destroy();
			assertThat(this.process.waitFor(2, TimeUnit.MINUTES)).isTrue();
			return Duration.ofNanos(System.nanoTime() - start);
		}

		void exit() throws InterruptedException {
			this.in.println("exit");
			assertThat(this.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		}

	}

}

package dev.retrain.orchestrator.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.retrain.jobs.TestPostgres;
import dev.retrain.models.faults.Failpoints;
import dev.retrain.orchestrator.RetrainApplication;
import dev.retrain.orchestrator.security.Credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Orchestrator nodes and workers as JVMs of their own (this class path), on one
 * PostgreSQL schema and one Quartz cluster, each with a data directory of its own under
 * {@code root} and the pipeline files of {@code root/configs}; an admin API key. Used by
 * {@code ClusterIT} and {@code ScaleOutBenchmark}.
 */
public final class NodeProcesses implements AutoCloseable {

	private final Path root;

	private final String schema;

	private final String apiKey;

	private final String url;

	private final List<String> jvmOptions = new ArrayList<>(
			List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));

	private final List<Node> nodes = new ArrayList<>();

	private final HttpClient http = HttpClient.newHttpClient();

	public record Node(String name, Process process, Path log, int port) {

		public String logText() throws IOException {
			return Files.exists(this.log) ? Files.readString(this.log) : "";
		}

	}

	public NodeProcesses(Path root, String schema, String apiKey) {
		this(root, TestPostgres.url(schema), schema, apiKey);
	}

	/**
	 * Nodes on the schema of the database at {@code url} (a JDBC URL that names the
	 * schema as its current one): the fleet benchmarks' database of their own.
	 */
	public NodeProcesses(Path root, String url, String schema, String apiKey) {
		this.root = root;
		this.url = url;
		this.schema = schema;
		this.apiKey = apiKey;
	}

	public String url() {
		return this.url;
	}

	/**
	 * The JVM options of the processes started from now on, instead of the tests' quick
	 * start ({@code -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}).
	 */
	public NodeProcesses jvmOptions(String... options) {
		this.jvmOptions.clear();
		this.jvmOptions.addAll(List.of(options));
		return this;
	}

	/**
	 * Starts a node ({@code worker} false) or a worker ({@code worker [args]}), with a
	 * failpoint if not null, and the given extra arguments.
	 */
	public Node start(String name, boolean worker, String failpoint, List<String> args) throws IOException {
		Path home = Files.createDirectories(this.root.resolve(name));
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		List<String> cmd = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true"));
		cmd.addAll(1, this.jvmOptions);
		if (failpoint != null) {
			cmd.add("-D" + Failpoints.PROPERTY + "=" + failpoint);
		}
		cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RetrainApplication.class.getName()));
		if (worker) {
			cmd.add("worker");
		}
		cmd.addAll(args);
		cmd.addAll(List.of("--spring.profiles.active=postgres", "--spring.datasource.url=" + url(),
				"--spring.datasource.username=" + TestPostgres.USER, "--spring.datasource.password=",
				"--spring.flyway.schemas=" + this.schema,
				// one Quartz cluster: the same scheduler name on every node
				"--spring.quartz.properties.org.quartz.scheduler.instanceName=retrain-" + this.schema,
				"--spring.quartz.properties.org.quartz.jobStore.clusterCheckinInterval=2000", "--server.port=" + port,
				"--retrain.node-id=" + name, "--retrain.data-dir=" + home.resolve("data"),
				"--retrain.config-dir=" + this.root.resolve("configs"),
				"--retrain.security.api-keys[0].name=cluster-test",
				"--retrain.security.api-keys[0].sha256=" + Credentials.hashApiKey(this.apiKey),
				"--retrain.security.api-keys[0].roles[0]=admin", "--logging.level.org.springframework=WARN",
				"--logging.level.org.flywaydb=WARN", "--logging.level.com.zaxxer=WARN",
				"--spring.main.banner-mode=off"));
		Path log = home.resolve(name + ".log");
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
		pb.environment().put("OMP_NUM_THREADS", "1");
		Node node = new Node(name, pb.start(), log, port);
		this.nodes.add(node);
		return node;
	}

	/** Waits until the node's health answers 200. */
	public void awaitUp(Node node) {
		await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
			assertThat(node.process().isAlive()).as(node.name() + " exited: " + tail(node)).isTrue();
			return this.http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/actuator/health"))
					.build(), HttpResponse.BodyHandlers.ofString())
				.statusCode() == 200;
		});
	}

	public static String tail(Node node) throws IOException {
		String text = node.logText();
		return text.substring(Math.max(0, text.length() - 3000));
	}

	/** POSTs JSON with the admin key. */
	public HttpResponse<String> post(Node node, String path, String body) {
		try {
			return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
				.header("X-API-Key", this.apiKey)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public static void kill9(Node node) throws InterruptedException {
		node.process().destroyForcibly();
		assertThat(node.process().waitFor(1, TimeUnit.MINUTES)).isTrue();
	}

	@Override
	public void close() {
		this.nodes.forEach(n -> n.process().destroyForcibly());
		this.nodes.clear();
	}

}

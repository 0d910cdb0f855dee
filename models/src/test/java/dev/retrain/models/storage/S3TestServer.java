package dev.retrain.models.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
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

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import static org.awaitility.Awaitility.await;

/**
 * A real S3-compatible server (Adobe S3Mock) in a process of its own on loopback, one per
 * test JVM, stopped when the JVM exits. Its class path is written by the build's
 * {@code s3-test-server} module.
 */
public final class S3TestServer implements S3CompatibleServer {

	private static S3TestServer instance;

	private final Process process;

	private final String endpoint;

	private final S3Client client;

	private S3TestServer(Process process, String endpoint) {
		this.process = process;
		this.endpoint = endpoint;
		this.client = S3Client.builder()
			.httpClientBuilder(UrlConnectionHttpClient.builder())
			.region(Region.US_EAST_1)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
			.forcePathStyle(true)
			.endpointOverride(URI.create(endpoint))
			.build();
	}

	public static synchronized S3TestServer get() {
		if (instance == null) {
			instance = start();
		}
		return instance;
	}

	private static S3TestServer start() {
		try {
			int port;
			try (ServerSocket socket = new ServerSocket(0)) {
				port = socket.getLocalPort();
			}
			Path root = Files.createTempDirectory("s3-test-server");
			List<String> cmd = new ArrayList<>(List.of(
					Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
					"-XX:TieredStopAtLevel=1", "-Dhttp.port=" + port, "-Dserver.port=0",
					"-Dcom.adobe.testing.s3mock.store.root=" + root, "-Dspring.main.banner-mode=off",
					"-Dlogging.level.root=WARN", "-cp", classPath(), "com.adobe.testing.s3mock.S3MockApplication"));
			Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
				.redirectOutput(root.resolveSibling(root.getFileName() + ".log").toFile())
				.start();
			Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
			String endpoint = "http://127.0.0.1:" + port;
			HttpClient http = HttpClient.newHttpClient();
			await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
				if (!process.isAlive()) {
					throw new IllegalStateException("the S3 test server exited: " + process.exitValue());
				}
				return http
					.send(HttpRequest.newBuilder(URI.create(endpoint + "/")).build(),
							HttpResponse.BodyHandlers.discarding())
					.statusCode() == 200;
			});
			return new S3TestServer(process, endpoint);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The class path the s3-test-server module wrote, found from the working directory
	 * up.
	 */
	private static String classPath() throws IOException {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			Path file = dir.resolve("s3-test-server/target/classpath.txt");
			if (Files.isRegularFile(file)) {
				return Files.readString(file).trim();
			}
		}
		throw new IllegalStateException("s3-test-server/target/classpath.txt not found: build from the project's "
				+ "root (mvn -B verify), whose s3-test-server module writes it");
	}

	@Override
	public String endpoint() {
		return this.endpoint;
	}

	@Override
	public S3Client client() {
		return this.client;
	}

	@Override
	public boolean alive() {
		return this.process.isAlive();
	}

}

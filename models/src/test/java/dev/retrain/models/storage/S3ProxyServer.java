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
import java.util.List;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import static org.awaitility.Awaitility.await;

/**
 * A second real S3-compatible server: s3proxy (jclouds' {@code filesystem} backend) in a
 * process of its own on loopback, checking AWS signatures, one per test JVM, stopped when
 * the JVM exits. Unlike S3Mock it refuses the AWS SDK's default request checksums (HTTP
 * 501), as many servers other than AWS do. Its jar
 * ({@code org.gaul:s3proxy:jar-with-dependencies}, a test dependency of this module kept
 * off the test class path) is named by the system property {@code s3proxy.jar}.
 */
public final class S3ProxyServer implements S3CompatibleServer {

	private static S3ProxyServer instance;

	private final Process process;

	private final String endpoint;

	private final S3Client client;

	private S3ProxyServer(Process process, String endpoint) {
		this.process = process;
		this.endpoint = endpoint;
		// the tests' own client must work with this server whatever the product does
		this.client = S3Client.builder()
			.httpClientBuilder(UrlConnectionHttpClient.builder())
			.region(Region.US_EAST_1)
			.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
			.forcePathStyle(true)
			.endpointOverride(URI.create(endpoint))
			.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
			.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
			.build();
	}

	public static synchronized S3ProxyServer get() {
		if (instance == null) {
			instance = start();
		}
		return instance;
	}

	private static S3ProxyServer start() {
		try {
			int port;
			try (ServerSocket socket = new ServerSocket(0)) {
				port = socket.getLocalPort();
			}
			String endpoint = "http://127.0.0.1:" + port;
			Path root = Files.createTempDirectory("s3proxy");
			Path data = Files.createDirectory(root.resolve("data"));
			Path properties = root.resolve("s3proxy.properties");
			Files.writeString(properties,
					String.join("\n", "s3proxy.endpoint=" + endpoint, "s3proxy.authorization=aws-v2-or-v4",
							"s3proxy.identity=" + ACCESS_KEY, "s3proxy.credential=" + SECRET_KEY,
							"jclouds.provider=filesystem", "jclouds.filesystem.basedir=" + data, ""));
			List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
					"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar(), "--properties",
					properties.toString());
			Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
				.redirectOutput(root.resolve("s3proxy.log").toFile())
				.start();
			Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
			HttpClient http = HttpClient.newHttpClient();
			// any answer means it listens (an unsigned request gets 403)
			await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
				if (!process.isAlive()) {
					throw new IllegalStateException(
							"s3proxy exited: " + process.exitValue() + ", see " + root.resolve("s3proxy.log"));
				}
				return http
					.send(HttpRequest.newBuilder(URI.create(endpoint + "/")).build(),
							HttpResponse.BodyHandlers.discarding())
					.statusCode() > 0;
			});
			return new S3ProxyServer(process, endpoint);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String jar() {
		String jar = System.getProperty("s3proxy.jar");
		if (jar == null || !Files.isRegularFile(Path.of(jar))) {
			throw new IllegalStateException("s3proxy's jar not found (system property s3proxy.jar: " + jar
					+ "): run the test through Maven (mvn -pl models verify -Dit.test=S3StorageIT), whose build "
					+ "resolves org.gaul:s3proxy:jar-with-dependencies and names it");
		}
		return jar;
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

	@Override
	public String toString() {
		return "s3proxy";
	}

}

package dev.retrain.models.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.PartitionedDirectory;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The storage suite ({@link S3StorageContract}) against two real S3-compatible servers,
 * each a process of its own on loopback: Adobe S3Mock, and s3proxy, which refuses the AWS
 * SDK's default checksums as many servers other than AWS do.
 */
class S3StorageIT {

	@Nested
	class OnS3Mock extends S3StorageContract {

		@Override
		S3CompatibleServer start() {
			return S3TestServer.get();
		}

	}

	@Nested
	class OnS3Proxy extends S3StorageContract {

		@Override
		S3CompatibleServer start() {
			return S3ProxyServer.get();
		}

		/**
		 * With the SDK's default checksums (its behaviour before this setting existed)
		 * s3proxy refuses every read: the failure names the server's answer rather than
		 * calling the file corrupt.
		 */
		@Test
		void theSdksDefaultChecksumsAreRefusedAndTheFailureNamesTheServersAnswerNotTheFile() {
			S3Settings given = this.server.settings();
			S3Settings sdkDefault = new S3Settings(given.endpoint(), given.region(), true, given.accessKey(),
					given.secretKey(), S3Settings.Checksums.WHEN_SUPPORTED);
			Location data = Storage.locate("s3://storage-tests/sales", Path.of("."), sdkDefault);

			assertThatThrownBy(() -> new PartitionedDirectory(data).resolve(DAY, DAY))
				.isInstanceOf(DataValidationFailed.class)
				.hasMessageContaining("s3://storage-tests/sales/dt=2024-01-01/part-0.parquet")
				.hasMessageContaining("HTTP 501 (NotImplemented: ")
				.hasMessageContaining("retrain.storage.s3.checksums")
				.hasMessageNotContaining("corrupt");
		}

	}

	@Test
	void aDeniedRequestFailsSayingSo() throws IOException {
		// a server that denies everything, as S3 does for a wrong key or a bucket policy
		HttpServer denying = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		denying.createContext("/", exchange -> {
			byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
					+ "<Message>Access Denied</Message></Error>")
				.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/xml");
			exchange.sendResponseHeaders(403, exchange.getRequestMethod().equals("HEAD") ? -1 : body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				if (!exchange.getRequestMethod().equals("HEAD")) {
					out.write(body);
				}
			}
		});
		denying.start();
		try {
			S3Settings settings = new S3Settings("http://127.0.0.1:" + denying.getAddress().getPort(), "us-east-1",
					true, "k", "s");
			Location denied = Storage.locate("s3://private/sales", Path.of("."), settings);
			assertThatThrownBy(() -> new PartitionedDirectory(denied).days()).isInstanceOf(DataValidationFailed.class)
				.hasMessageContaining("s3://private/sales")
				.hasMessageContaining("access denied (AccessDenied)");
		}
		finally {
			denying.stop(0);
		}
	}

}

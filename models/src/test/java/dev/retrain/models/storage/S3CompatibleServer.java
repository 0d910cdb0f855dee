package dev.retrain.models.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** A real S3-compatible server the tests run against, in a process of its own. */
public interface S3CompatibleServer {

	/** What the tests sign with. */
	String ACCESS_KEY = "test-access";

	String SECRET_KEY = "test-secret";

	String endpoint();

	/** Settings that reach this server, as the product would be configured. */
	default S3Settings settings() {
		return new S3Settings(endpoint(), "us-east-1", true, ACCESS_KEY, SECRET_KEY);
	}

	/** A client for the tests' own setup (buckets, uploads, deletions). */
	S3Client client();

	boolean alive();

	default void createBucket(String bucket) {
		client().createBucket(b -> b.bucket(bucket));
	}

	/**
	 * Uploads every file below {@code dir} under {@code prefix}, keeping relative paths.
	 */
	default void upload(Path dir, String bucket, String prefix) {
		try (var walk = Files.walk(dir)) {
			for (Path file : walk.filter(Files::isRegularFile).toList()) {
				String key = prefix + "/" + dir.relativize(file).toString().replace('\\', '/');
				client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}

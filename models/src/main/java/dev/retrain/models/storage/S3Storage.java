package dev.retrain.models.storage;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * One S3 client per setting (the SDK's clients are thread-safe and meant to be shared),
 * and how its failures read: each names the object and the reason, never a credential.
 */
public final class S3Storage {

	private static final Map<S3Settings, S3Storage> CLIENTS = new ConcurrentHashMap<>();

	private final S3Client client;

	private final LongAdder bytesFetched = new LongAdder();

	private final LongAdder requests = new LongAdder();

	private S3Storage(S3Settings settings) {
		AwsCredentialsProvider credentials = (settings.accessKey() != null)
				? StaticCredentialsProvider
					.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()))
				: DefaultCredentialsProvider.builder().build();
		var builder = S3Client.builder()
			.httpClientBuilder(UrlConnectionHttpClient.builder())
			.region(Region.of(settings.region()))
			.credentialsProvider(credentials)
			.forcePathStyle(settings.pathStyle());
		if (settings.customEndpoint()) {
			builder.endpointOverride(URI.create(settings.endpoint()));
		}
		if (settings.checksumsOnlyWhenRequired()) {
			// servers other than AWS may refuse the SDK's default flexible checksums
			// (s3proxy: 501 Not Implemented); integrity is still checked end to end:
			// Parquet pages carry CRCs, model files their SHA-256 in metadata.json
			builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
				.responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
		}
		this.client = builder.build();
	}

	public static S3Storage of(S3Settings settings) {
		return CLIENTS.computeIfAbsent(settings, S3Storage::new);
	}

	/** {@code s3://bucket/key} as a location. */
	public Location locate(String uri) {
		if (!uri.startsWith("s3://")) {
			throw new IllegalArgumentException("not an s3:// URI: " + uri);
		}
		String rest = uri.substring("s3://".length());
		int slash = rest.indexOf('/');
		String bucket = (slash < 0) ? rest : rest.substring(0, slash);
		String key = (slash < 0) ? "" : rest.substring(slash + 1);
		if (bucket.isEmpty()) {
			throw new IllegalArgumentException("no bucket in " + uri);
		}
		return new S3Location(this, bucket, S3Location.clean(key));
	}

	S3Client client() {
		return this.client;
	}

	void fetched(long bytes) {
		this.requests.increment();
		this.bytesFetched.add(bytes);
	}

	/**
	 * Bytes read from object bodies since this client was made (for tests and metrics).
	 */
	public long bytesFetched() {
		return this.bytesFetched.sum();
	}

	/** Ranged and whole-object reads since this client was made. */
	public long reads() {
		return this.requests.sum();
	}

	/** An SDK failure as an IOException that names the object and says why in words. */
	static IOException failure(String what, String uri, SdkException ex) {
		String reason;
		if (ex instanceof NoSuchBucketException) {
			reason = "the bucket does not exist";
		}
		else if (ex instanceof NoSuchKeyException) {
			reason = "the object does not exist (removed while it was read?)";
		}
		else if (ex instanceof S3Exception s3) {
			reason = switch (s3.statusCode()) {
				case 403 -> "access denied (" + code(s3) + ")";
				case 404 -> "not found (" + code(s3) + ")";
				case 412 -> "the object changed since the run's snapshot (its ETag no longer matches)";
				case 501 -> "the server answered HTTP 501 " + answer(s3) + ": it does not implement something this "
						+ "request asked for (a server other than AWS refusing the SDK's checksums? see "
						+ "retrain.storage.s3.checksums)";
				default -> "the server answered HTTP " + s3.statusCode() + " " + answer(s3);
			};
		}
		else {
			reason = ex.getMessage();
		}
		return new ObjectStorageFailure("cannot " + what + " " + uri + ": " + reason, ex);
	}

	/** The error code and the server's own message, in parentheses. */
	private static String answer(S3Exception ex) {
		String message = (ex.awsErrorDetails() != null) ? ex.awsErrorDetails().errorMessage() : null;
		return "(" + code(ex) + ((message != null && !message.isBlank()) ? ": " + message : "") + ")";
	}

	private static String code(S3Exception ex) {
		return (ex.awsErrorDetails() != null && ex.awsErrorDetails().errorCode() != null)
				? ex.awsErrorDetails().errorCode() : "no error code";
	}

}

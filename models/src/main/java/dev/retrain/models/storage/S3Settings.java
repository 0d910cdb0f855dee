package dev.retrain.models.storage;

/**
 * How to reach S3-compatible object storage. {@code endpoint} null: AWS itself;
 * {@code pathStyle}: bucket in the path (most S3-compatible servers);
 * {@code accessKey}/{@code secretKey} null: the SDK's default credential chain
 * (environment, profile, instance role); {@code checksums}: when the client adds flexible
 * checksums ({@code x-amz-checksum-*}) to requests and validates them on responses (null:
 * {@link Checksums#AUTO}). Credentials are never logged or shown.
 */
public record S3Settings(String endpoint, String region, boolean pathStyle, String accessKey, String secretKey,
		Checksums checksums) {

	public static final S3Settings DEFAULT = new S3Settings(null, "us-east-1", false, null, null);

	/**
	 * When the SDK computes request checksums and validates response checksums. Since AWS
	 * SDK 2.30 it does so on every request that supports them, which servers other than
	 * AWS answer with errors (s3proxy: HTTP 501).
	 */
	public enum Checksums {

		/**
		 * {@link #WHEN_REQUIRED} with a custom endpoint (a server other than AWS, most
		 * likely), {@link #WHEN_SUPPORTED} without one (AWS itself).
		 */
		AUTO,

		/**
		 * Only where an operation requires a checksum (the SDK's behaviour before 2.30).
		 */
		WHEN_REQUIRED,

		/** On every operation that supports one (the SDK's default). */
		WHEN_SUPPORTED

	}

	public S3Settings {
		region = (region != null && !region.isBlank()) ? region : "us-east-1";
		checksums = (checksums != null) ? checksums : Checksums.AUTO;
	}

	public S3Settings(String endpoint, String region, boolean pathStyle, String accessKey, String secretKey) {
		this(endpoint, region, pathStyle, accessKey, secretKey, Checksums.AUTO);
	}

	/** Whether an endpoint other than AWS's own is set. */
	public boolean customEndpoint() {
		return this.endpoint != null && !this.endpoint.isBlank();
	}

	/**
	 * Whether checksums are added and validated only where an operation requires them.
	 */
	public boolean checksumsOnlyWhenRequired() {
		return switch (this.checksums) {
			case AUTO -> customEndpoint();
			case WHEN_REQUIRED -> true;
			case WHEN_SUPPORTED -> false;
		};
	}

	@Override
	public String toString() {
		return "S3Settings[endpoint=" + this.endpoint + ", region=" + this.region + ", pathStyle=" + this.pathStyle
				+ ", checksums=" + this.checksums + ", credentials="
				+ ((this.accessKey != null) ? "given" : "default chain") + "]";
	}

}

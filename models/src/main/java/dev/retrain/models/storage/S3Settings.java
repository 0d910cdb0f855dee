package dev.retrain.models.storage;

/**
 * How to reach S3-compatible object storage. {@code endpoint} null: AWS itself;
 * {@code pathStyle}: bucket in the path (most S3-compatible servers);
 * {@code accessKey}/{@code secretKey} null: the SDK's default credential chain
 * (environment, profile, instance role). Credentials are never logged or shown.
 */
public record S3Settings(String endpoint, String region, boolean pathStyle, String accessKey, String secretKey) {

	public static final S3Settings DEFAULT = new S3Settings(null, "us-east-1", false, null, null);

	public S3Settings {
		region = (region != null && !region.isBlank()) ? region : "us-east-1";
	}

	@Override
	public String toString() {
		return "S3Settings[endpoint=" + this.endpoint + ", region=" + this.region + ", pathStyle=" + this.pathStyle
				+ ", credentials=" + ((this.accessKey != null) ? "given" : "default chain") + "]";
	}

}

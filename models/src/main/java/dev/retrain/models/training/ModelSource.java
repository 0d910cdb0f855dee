package dev.retrain.models.training;

/**
 * Where the code of a model that is not built in comes from, recorded with every version:
 * for TorchScript the module file a retrain starts from ({@code location} as configured:
 * a local path or an {@code s3://} URI) and the SHA-256 of the bytes that were used.
 */
public record ModelSource(String location, String sha256) {

	public ModelSource withSha256(String sha256) {
		return new ModelSource(this.location, sha256);
	}

}

package dev.retrain.jobs.retrain;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.core.sync.RequestBody;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.consistency.ConsistencyCheck;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.json.Json;
import dev.retrain.models.storage.S3TestServer;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.store.VersionFilesMissing;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Data and model store in S3-compatible object storage (a real server process): the run
 * reads its window there and records each object's ETag in its snapshot; its version is
 * uploaded (metadata last), loads through a local cache checked against the recorded
 * hashes, and a changed object is refused; a bucket that is not there fails the run
 * naming it, leaving the champion alone.
 */
class ObjectStorageRunIT extends RetrainTestSupport {

	static final S3TestServer S3 = S3TestServer.get();

	@DynamicPropertySource
	static void s3(DynamicPropertyRegistry registry) {
		registry.add("retrain.storage.s3.endpoint", S3::endpoint);
		registry.add("retrain.storage.s3.path-style", () -> "true");
		registry.add("retrain.storage.s3.access-key", () -> S3TestServer.ACCESS_KEY);
		registry.add("retrain.storage.s3.secret-key", () -> S3TestServer.SECRET_KEY);
		registry.add("retrain.store-uri", () -> "s3://model-store/prod");
		S3.createBucket("model-store");
	}

	@Autowired
	ConsistencyCheck consistency;

	@Test
	void aRunReadsItsWindowFromObjectStorageAndAMissingBucketFailsNamingIt() {
		Path local = sampleData(DATA_DIR, "s3-upload", 150, 31);
		S3.createBucket("lake");
		S3.upload(local, "lake", "churn/events");
		definePipeline("lake", yaml("lake", "s3://lake/churn/events", GOOD_MODEL, ""));

		RunRecord run = run("lake", LAST, "from-s3");

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.registry.champion("lake")).contains(1);
		ArtifactMetadata meta = this.store.metadata("lake", 1);
		assertThat(meta.dataset().files()).isNotEmpty().allSatisfy(f -> {
			assertThat(f.etag()).isNotBlank();
			assertThat(f.path()).startsWith("dt=");
		});

		assertThat(this.registry.version("lake", 1).orElseThrow().path()).isEqualTo("s3://model-store/prod/lake/1");
		assertThat(S3.client().listObjectsV2(b -> b.bucket("model-store").prefix("prod/lake/1/")).contents())
			.extracting(o -> o.key())
			.containsExactlyInAnyOrder("prod/lake/1/metadata.json", "prod/lake/1/model.params",
					"prod/lake/1/reference.parquet");
		assertThat(this.consistency.run().disagreements()).isEmpty();
		ModelStore.deleteTree(this.store.root().resolve("lake"));
		this.store.load("lake", 1).close();

		definePipeline("lake", yaml("lake", "s3://no-such-lake/churn/events", GOOD_MODEL, ""));
		RunRecord failed = run("lake", LAST, "missing-bucket");

		assertThat(failed.status()).isEqualTo("FAILED");
		assertThat(failed.failureReason()).contains("s3://no-such-lake/churn/events")
			.contains("the bucket does not exist");
		assertThat(this.registry.versions("lake")).extracting(ModelVersion::version).containsExactly(1);
		assertThat(this.registry.champion("lake")).contains(1);
		assertThat(Json.MAPPER.writeValueAsString(failed)).doesNotContain(S3TestServer.SECRET_KEY);

		// an object changed behind the store's back is refused, not loaded
		S3.client()
			.putObject(b -> b.bucket("model-store").key("prod/lake/1/model.params"),
					RequestBody.fromString("tampered"));
		assertThat(this.store.problems("lake", 1)).singleElement()
			.asString()
			.contains("lake/1/model.params changed since it was registered");
		assertThatThrownBy(() -> this.store.load("lake", 1)).isInstanceOf(VersionFilesMissing.class);

		// a version without a registry row (a crash before the row) is listed, then
		// removed
		S3.client()
			.putObject(b -> b.bucket("model-store").key("prod/lake/7/metadata.json"), RequestBody.fromString("{}"));
		assertThat(this.consistency.run().disagreements()).extracting(d -> d.kind())
			.contains(ConsistencyCheck.Kind.UNREGISTERED_STORE_DIRECTORY);
		assertThat(this.store.cleanup("lake", this.registry.registeredVersions("lake")))
			.containsExactly("s3://model-store/prod/lake/7");
		assertThat(this.store.storedVersions("lake")).containsExactly(1);
	}

}

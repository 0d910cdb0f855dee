package dev.retrain.jobs.retrain;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.json.Json;
import dev.retrain.models.storage.S3TestServer;
import dev.retrain.models.store.ArtifactMetadata;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pipeline whose data lives in S3-compatible object storage (a real server process):
 * the run reads it there, records each object's ETag in its snapshot, and a bucket that
 * is not there fails the run naming it, leaving the champion alone.
 */
class ObjectStorageRunTests extends RetrainTestSupport {

	static final S3TestServer S3 = S3TestServer.get();

	@DynamicPropertySource
	static void s3(DynamicPropertyRegistry registry) {
		registry.add("retrain.storage.s3.endpoint", S3::endpoint);
		registry.add("retrain.storage.s3.path-style", () -> "true");
		registry.add("retrain.storage.s3.access-key", () -> S3TestServer.ACCESS_KEY);
		registry.add("retrain.storage.s3.secret-key", () -> S3TestServer.SECRET_KEY);
	}

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

		definePipeline("lake", yaml("lake", "s3://no-such-lake/churn/events", GOOD_MODEL, ""));
		RunRecord failed = run("lake", LAST, "missing-bucket");

		assertThat(failed.status()).isEqualTo("FAILED");
		assertThat(failed.failureReason()).contains("s3://no-such-lake/churn/events")
			.contains("the bucket does not exist");
		assertThat(this.registry.versions("lake")).extracting(ModelVersion::version).containsExactly(1);
		assertThat(this.registry.champion("lake")).contains(1);
		assertThat(Json.MAPPER.writeValueAsString(failed)).doesNotContain(S3TestServer.SECRET_KEY);
	}

}

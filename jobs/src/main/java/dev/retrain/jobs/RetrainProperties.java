package dev.retrain.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.retrain.models.storage.Location;
import dev.retrain.models.storage.S3Settings;
import dev.retrain.models.storage.Storage;

/**
 * Where everything lives. {@code dataDir} holds the H2 files, the model store
 * ({@code models/}), run workspaces ({@code work/}) and, by default, the pipelines' data;
 * {@code configDir} holds one YAML per pipeline; {@code nodeId} names this node in locks
 * (default: the host name). {@code trainingMemoryMb} bounds the encoded training rows a
 * run holds in memory: a larger training set is streamed from Parquet every epoch instead
 * (default: a quarter of the maximum heap). Every node writes a heartbeat every
 * {@code heartbeatInterval}; one silent for {@code nodeTimeout} is declared stopped by
 * another node, which recovers its runs. {@code pluginsDir} is the directory of model
 * plugin jars ({@code retrain.plugins-dir}; default none): plugins are code, and only
 * this directory is read.
 */
@ConfigurationProperties("retrain")
public record RetrainProperties(@DefaultValue("./var") Path dataDir, @DefaultValue("./configs") Path configDir,
		String nodeId, Long trainingMemoryMb, @DefaultValue("10s") Duration heartbeatInterval,
		@DefaultValue("30s") Duration nodeTimeout, @DefaultValue StorageProperties storage, String storeUri,
		@DefaultValue Workers workers, String workspaceUri, Integer maxConcurrentRuns, Path pluginsDir) {

	/**
	 * Runs this node executes at once ({@code retrain.max-concurrent-runs}): by default 2
	 * (training takes a core), or 12 with workers (a run then mostly waits for its remote
	 * steps). Each running run holds a database connection while a step works: the pool
	 * needs this many plus a few.
	 */
	public int runThreads() {
		return runThreads(this.maxConcurrentRuns, this.workers != null && this.workers.enabled());
	}

	/** The same from the raw settings (for sizing the database pool before binding). */
	static int runThreads(Integer maxConcurrentRuns, boolean workersEnabled) {
		if (maxConcurrentRuns != null && maxConcurrentRuns > 0) {
			return maxConcurrentRuns;
		}
		return workersEnabled ? 12 : 2;
	}

	/**
	 * Where run workspaces live besides this node's {@code <data-dir>/work}:
	 * {@code retrain.workspace-uri} ({@code s3://...}), or null (local only).
	 */
	public Location workspace() {
		return (this.workspaceUri != null && !this.workspaceUri.isBlank())
				? Storage.locate(this.workspaceUri, this.dataDir, s3()) : null;
	}

	/**
	 * Training on workers ({@code retrain.workers.*}). {@code enabled}: this node sends
	 * the heavy steps (train, evaluate) to workers over RabbitMQ
	 * ({@code spring.rabbitmq.*}) and waits for them up to {@code timeout}: a worker's
	 * reply wakes the wait when the step ends, and the job repository is polled every
	 * {@code pollInterval} as the fallback. A step no worker has taken after
	 * {@code unclaimedTimeout} fails its run, naming the queue (nobody consumes it);
	 * meanwhile the run's progress says it waits for a worker. {@code consume}: the
	 * queues this process takes steps from as a worker (none: not a worker),
	 * {@code slots} steps at a time; with {@code maxSteps} above 0 the worker stops
	 * taking requests after that many and exits (a Kubernetes Job per step: KEDA's
	 * ScaledJob).
	 */
	public record Workers(boolean enabled, @DefaultValue("12h") Duration timeout,
			@DefaultValue("1s") Duration pollInterval, List<String> consume, @DefaultValue("1") int slots,
			@DefaultValue("10m") Duration unclaimedTimeout, @DefaultValue("0") int maxSteps) {

		public boolean isWorker() {
			return this.consume != null && !this.consume.isEmpty();
		}

	}

	/**
	 * How {@code s3://} locations are reached ({@code retrain.storage.s3.*}): endpoint
	 * (null: AWS), region, path-style addressing (most S3-compatible servers), and
	 * credentials (null: the AWS SDK's default chain), and when the SDK adds and checks
	 * flexible checksums ({@code auto}: only where required with a custom endpoint).
	 * Credentials are never logged.
	 */
	public record StorageProperties(@DefaultValue S3 s3) {

		public record S3(String endpoint, @DefaultValue("us-east-1") String region, boolean pathStyle, String accessKey,
				String secretKey, @DefaultValue("auto") S3Settings.Checksums checksums) {

			@Override
			public String toString() {
				return "S3[endpoint=" + this.endpoint + ", region=" + this.region + "]";
			}

		}

		public S3Settings settings() {
			return new S3Settings(this.s3.endpoint(), this.s3.region(), this.s3.pathStyle(), this.s3.accessKey(),
					this.s3.secretKey(), this.s3.checksums());
		}

	}

	/** Bytes of encoded training rows a run may hold in memory. */
	public long trainingMemoryBytes() {
		return (this.trainingMemoryMb != null) ? this.trainingMemoryMb * 1024 * 1024
				: Runtime.getRuntime().maxMemory() / 4;
	}

	/**
	 * Where the model store is: {@code retrain.store-uri}, else
	 * {@code <data-dir>/models}.
	 */
	public Location store() {
		return (this.storeUri != null && !this.storeUri.isBlank()) ? Storage.locate(this.storeUri, this.dataDir, s3())
				: Storage.local(this.dataDir.resolve("models"));
	}

	/** Local copies of versions kept in object storage. */
	public Path storeCache() {
		return this.dataDir.resolve("cache").resolve("models");
	}

	public Path workDir() {
		return this.dataDir.resolve("work");
	}

	/**
	 * A pipeline's data path: {@code s3://bucket/prefix}, or a local path, absolute as
	 * written or relative to the data directory.
	 */
	public Location resolveData(String path) {
		return Storage.locate(path, this.dataDir, s3());
	}

	public S3Settings s3() {
		return (this.storage != null && this.storage.s3() != null) ? this.storage.settings() : S3Settings.DEFAULT;
	}

}

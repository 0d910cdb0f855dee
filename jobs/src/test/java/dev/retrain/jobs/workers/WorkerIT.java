package dev.retrain.jobs.workers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.AmqpTemplate;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.TestPostgres;
import dev.retrain.jobs.TorchScriptFixtures;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.retrain.RetrainJobConfiguration;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.faults.Failpoints;
import dev.retrain.models.json.Json;
import dev.retrain.models.search.SearchResult;
import dev.retrain.models.storage.S3TestServer;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Training on workers, with real processes that share nothing but the database, the
 * broker and object storage: this test's context runs the jobs and sends train and
 * evaluate over RabbitMQ (127.0.0.1:5672) to worker JVMs, each with a data directory of
 * its own, on the same PostgreSQL database (a schema of its own); data, model store and
 * run workspaces are in an S3-compatible server (a process of its own). A worker killed
 * with SIGKILL mid-training leaves its step to the broker, and another worker resumes it
 * from the checkpoint the first pushed to the workspace: one run, one version. CI starts
 * PostgreSQL and RabbitMQ and requires this test; a machine without them (and without
 * CI=true) skips it.
 */
class WorkerIT extends RetrainTestSupport {

	static final String SCHEMA = TestPostgres.schema("retrain_workers");

	/** A queue of this test's own, so that no other worker or old message meets it. */
	static final String QUEUE = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

	@DynamicPropertySource
	static void services(DynamicPropertyRegistry registry) {
		TestPostgres.require(true);
		TestPostgres.register(registry, SCHEMA);
		registry.add("retrain.workers.enabled", () -> "true");
		// a minute: the node learns that a step ended from the worker's reply, and the
		// fallback poll would show in the tests' times if replies were lost
		registry.add("retrain.workers.poll-interval", () -> "60s");
		registry.add("retrain.node-id", () -> "manager");
		S3_SETTINGS.forEach((key, value) -> registry.add(key, () -> value));
		S3.createBucket(BUCKET);
		Path data = sampleData(DATA_DIR, "w-upload", 150, 51);
		S3.upload(data, BUCKET, "data");
	}

	static final S3TestServer S3 = S3TestServer.get();

	static final String BUCKET = "workers-" + QUEUE;

	/** Data, store and workspaces in object storage, as every process sees them. */
	static final Map<String, String> S3_SETTINGS = Map.of("retrain.storage.s3.endpoint", S3.endpoint(),
			"retrain.storage.s3.path-style", "true", "retrain.storage.s3.access-key", S3TestServer.ACCESS_KEY,
			"retrain.storage.s3.secret-key", S3TestServer.SECRET_KEY, "retrain.store-uri", "s3://" + BUCKET + "/models",
			"retrain.workspace-uri", "s3://" + BUCKET + "/work");

	static final String DATA = "s3://" + BUCKET + "/data";

	@AfterAll
	static void dropSchema() throws SQLException {
		TestPostgres.drop(SCHEMA);
	}

	@Autowired
	JobRepository repository;

	@Autowired
	AmqpAdmin amqp;

	@Autowired
	AmqpTemplate amqpTemplate;

	private final List<Process> workers = new ArrayList<>();

	@AfterEach
	void stopWorkers() throws InterruptedException {
		for (Process p : this.workers) {
			p.destroyForcibly();
			p.waitFor(1, TimeUnit.MINUTES);
		}
	}

	/**
	 * A worker with a data directory and a copy of the config directory of its own: what
	 * it shares with this node is the database, the broker and object storage.
	 */
	private Path worker(String node, String failpoint) throws IOException {
		return worker(node, failpoint, null);
	}

	/**
	 * As {@link #worker(String, String)}; with {@code release}, the worker waits at its
	 * failpoint until that file exists, then goes on.
	 */
	private Path worker(String node, String failpoint, Path release, String... settings) throws IOException {
		Path home = Files.createTempDirectory("worker-" + node);
		Path configs = Files.createDirectories(home.resolve("configs"));
		try (Stream<Path> files = Files.list(CONFIG_DIR)) {
			for (Path f : files.toList()) {
				Files.copy(f, configs.resolve(f.getFileName()));
			}
		}
		Path log = home.resolve(node + ".log");
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true",
				"-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"));
		if (failpoint != null) {
			cmd.add("-D" + Failpoints.PROPERTY + "=" + failpoint);
		}
		if (release != null) {
			cmd.add("-D" + Failpoints.RELEASE + "=" + release);
		}
		cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerNode.class.getName(),
				TestPostgres.url(SCHEMA), SCHEMA, home.resolve("data").toString(), configs.toString(), node, QUEUE));
		S3_SETTINGS.forEach((key, value) -> cmd.add("--" + key + "=" + value));
		cmd.addAll(List.of(settings));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
		pb.environment().put("OMP_NUM_THREADS", "1");
		this.workers.add(pb.start());
		return log;
	}

	private static void awaitLine(Path log, String text) {
		await().atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> Files.exists(log) && Files.readString(log).contains(text));
	}

	private List<String> stepNames(long runId) {
		return this.repository.getJobExecution(runId)
			.getStepExecutions()
			.stream()
			.map(StepExecution::getStepName)
			.sorted()
			.toList();
	}

	@Test
	void trainAndEvaluateRunOnAWorker() throws Exception {
		definePipeline("on-worker", yaml("on-worker", DATA, GOOD_MODEL, "resources:\n  queue: " + QUEUE));
		Path log = worker("w1", null);

		RunRecord run = run("on-worker", LAST, "remote");

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(stepNames(run.runId())).contains("train", "train-on-worker", "evaluate", "evaluate-on-worker");
		assertThat(Files.readString(log)).contains("worker w1 runs step train-on-worker of run " + run.runId())
			.contains("worker w1 runs step evaluate-on-worker of run " + run.runId());
		assertThat(this.registry.versions("on-worker")).extracting(ModelVersion::version).containsExactly(1);
		// the node's steps ended within moments of the worker's: woken by the worker's
		// reply, not by its poll of the job repository (every 60 s here)
		Map<String, StepExecution> steps = new java.util.HashMap<>();
		this.repository.getJobExecution(run.runId()).getStepExecutions().forEach(e -> steps.put(e.getStepName(), e));
		for (String step : List.of("train", "evaluate")) {
			Duration lag = Duration.between(steps.get(step + "-on-worker").getEndTime(), steps.get(step).getEndTime());
			assertThat(lag).as(step + ": the node noticed the worker's end after").isLessThan(Duration.ofSeconds(5));
		}
	}

	@Test
	void aStepThatFailsOnAWorkerGivesTheRunItsReasonInWords() throws Exception {
		Path module = TorchScriptFixtures.copy("mlp_w4_o1.pt", DATA_DIR.resolve("modules/narrow-on-worker.pt"));
		definePipeline("failing-on-worker", TorchScriptFixtures.yaml("failing-on-worker", DATA,
				module.toAbsolutePath().toString(), "resources:\n  queue: " + QUEUE));
		Path log = worker("w-fail", null);

		RunRecord run = run("failing-on-worker", LAST, "fails");

		assertThat(run.status()).isEqualTo("FAILED");
		assertThat(Files.readString(log)).contains("worker w-fail runs step train-on-worker of run " + run.runId());
		assertThat(run.failureReason()).as("the worker's reason, in words")
			.contains("does not take the pipeline's 17 encoded columns")
			.doesNotContain("dev.retrain.")
			.doesNotContain("Exception");
	}

	@Test
	void aSearchsCandidatesAreSpreadOverTheWorkers() throws Exception {
		definePipeline("searched-on-workers", yaml("searched-on-workers", DATA, GOOD_MODEL, """
				resources:
				  queue: %s
				search:
				  selection-days: 3
				  windows-days: [9, 14, 20]
				  learning-rate: [0.05]""".formatted(QUEUE)));
		Path first = worker("ws1", null);
		Path second = worker("ws2", null);
		// both take from the queue before the run sends its candidates, one at a time
		// each
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> consumers(WorkerConfiguration.queueName(QUEUE)) == 2);

		RunRecord run = run("searched-on-workers", LAST, "spread");

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(stepNames(run.runId())).contains("search", "search-candidate:c0", "search-candidate:c1",
				"search-candidate:c2");
		String candidate = "runs step search-candidate of run " + run.runId();
		assertThat(Files.readString(first)).contains("worker ws1 " + candidate);
		assertThat(Files.readString(second)).contains("worker ws2 " + candidate);
		SearchResult search = Json.MAPPER.convertValue(
				Json.MAPPER.readTree(this.runs.find(run.runId()).orElseThrow().details()).get("search"),
				SearchResult.class);
		assertThat(search.candidates()).hasSize(3).allSatisfy(t -> assertThat(t.score()).isBetween(0.0, 1.0));
		assertThat(this.registry.versions("searched-on-workers")).extracting(ModelVersion::version).containsExactly(1);
	}

	private int consumers(String queue) {
		QueueInformation info = this.amqp.getQueueInfo(queue);
		return (info != null) ? info.getConsumerCount() : 0;
	}

	@Test
	void aWorkerKilledMidTrainingLeavesItsStepToAnotherThatResumesIt() throws Exception {
		definePipeline("killed-worker", yaml("killed-worker", DATA, GOOD_MODEL, "resources:\n  queue: " + QUEUE));
		Path doomed = worker("w-doomed", "train.epoch-3");
		long runId = launch("killed-worker", LAST, "kill", null).runId();
		awaitLine(doomed, Failpoints.REACHED + "train.epoch-3");

		Process victim = this.workers.get(this.workers.size() - 1);
		victim.destroyForcibly();
		assertThat(victim.waitFor(1, TimeUnit.MINUTES)).isTrue();
		Path survivor = worker("w-survivor", null);
		RunRecord run = awaitEnd(runId);

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(Files.readString(survivor)).contains(
				"was started by another worker (stopped, or its request delivered again); resuming it on worker w-survivor");
		assertThat(this.registry.versions("killed-worker")).extracting(ModelVersion::version).containsExactly(1);
		// the killed worker pushed the checkpoints of epochs 1 and 2 to the workspace; it
		// was killed after writing epoch 3's locally, before pushing it
		assertThat(this.store.metadata("killed-worker", 1).training().resumedFromEpoch())
			.as("training resumed from the last checkpoint the killed worker pushed")
			.isEqualTo(2);
	}

	@Test
	void aStepDeliveredAgainIsTakenOverFromItsCheckpointAndTheWorkerThatHeldItStopsWithoutWriting() throws Exception {
		definePipeline("delivered-again", yaml("delivered-again", DATA, GOOD_MODEL, "resources:\n  queue: " + QUEUE));
		Path releases = Files.createTempDirectory("releases");
		Path held = worker("w-held", "train.epoch-3", releases.resolve("held"));
		long runId = launch("delivered-again", LAST, "again", null).runId();
		// the first worker pushed epochs 1 and 2 and wrote epoch 3's checkpoint locally
		awaitLine(held, Failpoints.REACHED + "train.epoch-3");
		StepExecution train = this.repository.getJobExecution(runId)
			.getStepExecutions()
			.stream()
			.filter(s -> s.getStepName().equals(RetrainJobConfiguration.TRAIN_ON_WORKER))
			.findFirst()
			.orElseThrow();

		// the broker gives the request to another worker, as after a closed connection or
		// RabbitMQ's consumer timeout; that worker holds before pushing epoch 4
		Path taker = worker("w-taker", "train.epoch-4", releases.resolve("taker"));
		this.amqpTemplate.convertAndSend("", WorkerConfiguration.queueName(QUEUE), WorkerConfiguration
			.encode(new StepExecutionRequest(RetrainJobConfiguration.TRAIN_ON_WORKER, train.getId())));
		awaitLine(taker, Failpoints.REACHED + "train.epoch-4");
		assertThat(Files.readString(taker)).contains("runs step train-on-worker of run " + runId + " (claim 2)")
			.contains("resuming it on worker w-taker");
		Map<String, String> workspace = workspaceObjects();
		assertThat(workspace).as("the taker pushed its checkpoints").isNotEmpty();

		// the first worker goes on: it finds the newer claim before pushing epoch 3
		Files.createFile(releases.resolve("held"));
		awaitLine(held, "fenced: step train-on-worker of run " + runId + " was taken over by worker w-taker (claim 2)");
		assertThat(workspaceObjects()).as("the fenced worker wrote nothing to the workspace").isEqualTo(workspace);
		assertThat(this.repository.getJobExecution(runId).getStatus().isRunning()).isTrue();

		Files.createFile(releases.resolve("taker"));
		RunRecord run = awaitEnd(runId);
		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.registry.versions("delivered-again")).extracting(ModelVersion::version).containsExactly(1);
		assertThat(this.store.metadata("delivered-again", 1).training().resumedFromEpoch())
			.as("the taker resumed from the last checkpoint the first worker pushed")
			.isEqualTo(2);
		assertThat(Files.readString(held)).doesNotContain("runs step evaluate-on-worker");
	}

	/** The runs' workspaces in object storage: each object's key and ETag. */
	private Map<String, String> workspaceObjects() {
		Map<String, String> objects = new java.util.TreeMap<>();
		S3.client()
			.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("work/"))
			.contents()
			.forEach(o -> objects.put(o.key(), o.eTag()));
		return objects;
	}

	@Test
	void aWorkerWithMaxStepsTakesThatManyStepsThenExits() throws Exception {
		definePipeline("one-job", yaml("one-job", DATA, GOOD_MODEL, "resources:\n  queue: " + QUEUE));
		// a Kubernetes Job of KEDA's ScaledJob: train and evaluate, then the pod ends
		Path log = worker("w-job", null, null, "--retrain.workers.max-steps=2");
		Process job = this.workers.get(this.workers.size() - 1);

		RunRecord run = run("one-job", LAST, "job");

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(job.waitFor(1, TimeUnit.MINUTES)).as("the worker exits after its steps").isTrue();
		assertThat(job.exitValue()).isZero();
		assertThat(Files.readString(log)).contains("has taken 2 step request(s) (retrain.workers.max-steps)");
	}

}

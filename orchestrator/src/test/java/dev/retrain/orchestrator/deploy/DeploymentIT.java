package dev.retrain.orchestrator.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.marcnuri.helm.Helm;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.retrain.jobs.TestPostgres;
import dev.retrain.jobs.pipeline.PipelineLoader;
import dev.retrain.jobs.workers.WorkerConfiguration;
import dev.retrain.models.storage.S3TestServer;
import dev.retrain.orchestrator.RetrainApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The Kubernetes deployment ({@code deploy/}) against the application. No cluster is
 * reachable here, so the Helm chart is rendered by Helm's own template engine (helm-java)
 * and its manifests are checked: every environment variable and argument names a setting
 * the application reads (from the configuration metadata of the jars, the placeholders of
 * its YAML, or a short list of JVM/DJL variables), ports and probes agree with each other
 * and with the Dockerfile, and the chart refuses values that cannot work. Then the
 * rendered containers are started as real processes, with their rendered environment,
 * against PostgreSQL, RabbitMQ and the S3 server: each answers its liveness and readiness
 * probes on its container port, and the worker consumes the queue the chart gave it.
 */
class DeploymentIT {

	static final Path ROOT = repositoryRoot();

	static final Path CHART = ROOT.resolve("deploy/helm/retrain");

	/** The chart's example values (two nodes, workers scaled by KEDA). */
	static final Path EXAMPLE = ROOT.resolve("deploy/helm/example-values.yaml");

	static final Path DOCKERFILE = ROOT.resolve("deploy/Dockerfile");

	static final String ID = UUID.randomUUID().toString().replace("-", "").substring(0, 8);

	static final String SCHEMA = TestPostgres.schema("retrain_deploy");

	/** Read by the JVM, OpenMP and DJL, not by Spring: each set for the reason given. */
	static final Map<String, String> NOT_SPRING = Map.of("JAVA_TOOL_OPTIONS", "the JVM's heap share of the container",
			"OMP_NUM_THREADS", "one OpenMP thread per training (STACK.md gotcha 1)", "DJL_CACHE_DIR",
			"the natives extracted at build time (read by DJL and RetrainApplication.configureDjl)");

	static final Set<String> PROBE_PATHS = Set.of("/actuator/health/liveness", "/actuator/health/readiness");

	final List<Process> processes = new ArrayList<>();

	final HttpClient http = HttpClient.newHttpClient();

	@AfterEach
	void stop() {
		this.processes.forEach(Process::destroyForcibly);
	}

	@AfterAll
	static void dropSchema() throws SQLException {
		TestPostgres.drop(SCHEMA);
	}

	@Test
	void theChartRendersTheExampleAsTwoNodesWorkersAndAScaler() {
		List<Map<String, Object>> manifests = render(EXAMPLE, Map.of());

		assertThat(manifests).extracting(m -> m.get("kind"))
			.containsExactlyInAnyOrder("ConfigMap", "Service", "Deployment", "Deployment", "ScaledObject",
					"TriggerAuthentication", "ServiceAccount", "PodDisruptionBudget");
		Map<String, Object> orchestrator = deployment(manifests, "orchestrator");
		assertThat((Object) get(orchestrator, "spec", "replicas")).isEqualTo(2);
		// KEDA owns the worker replicas
		assertThat(DeploymentIT.<Map<String, Object>>get(deployment(manifests, "worker"), "spec"))
			.doesNotContainKey("replicas");
		Map<String, Object> scaler = kind(manifests, "ScaledObject");
		assertThat((Object) get(scaler, "spec", "scaleTargetRef", "name"))
			.isEqualTo(name(deployment(manifests, "worker")));
		List<Map<String, Object>> triggers = get(scaler, "spec", "triggers");
		assertThat(triggers).extracting(t -> get(t, "metadata", "queueName"))
			.containsExactly(WorkerConfiguration.queueName("default"), WorkerConfiguration.queueName("gpu"));
		assertThat(triggers).allSatisfy(t -> assertThat((Object) get(t, "authenticationRef", "name"))
			.isEqualTo(name(kind(manifests, "TriggerAuthentication"))));
		// every pipeline shipped in the example is one the product loads
		Map<String, String> pipelines = get(kind(manifests, "ConfigMap"), "data");
		assertThat(pipelines).isNotEmpty();
		pipelines.forEach((file, text) -> assertThat(new PipelineLoader().parse(text, file)).isNotNull());
	}

	@Test
	void everyVariableAndArgumentIsASettingTheApplicationReads() throws IOException {
		Settings settings = Settings.ofClassPath();
		Map<String, String> checked = new TreeMap<>();
		for (Path values : List.of(EXAMPLE, inlineValues(8080))) {
			for (Map<String, Object> deployment : kinds(render(values, Map.of()), "Deployment")) {
				for (Map<String, Object> container : containers(deployment)) {
					for (Map<String, Object> env : this.<List<Map<String, Object>>>getOr(container, List.of(), "env")) {
						checked.put((String) env.get("name"), name(deployment));
					}
					for (String arg : this.<List<String>>getOr(container, List.of(), "args")) {
						if (arg.startsWith("--")) {
							String property = arg.substring(2).split("=", 2)[0];
							assertThat(settings.knowsProperty(property))
								.as("argument " + arg + " of " + name(deployment))
								.isTrue();
						}
						else {
							assertThat(arg).as("the command of " + name(deployment)).isEqualTo("worker");
						}
					}
				}
			}
		}
		Dockerfile docker = Dockerfile.read(DOCKERFILE);
		docker.env().keySet().forEach(n -> checked.put(n, "the Dockerfile"));

		assertThat(checked).isNotEmpty();
		checked.forEach(
				(variable, where) -> assertThat(NOT_SPRING.containsKey(variable) || settings.knowsVariable(variable))
					.as("%s in %s: no setting of the application reads it", variable, where)
					.isTrue());
		// the check itself can fail
		assertThat(settings.knowsVariable("RETRAIN_STORAGE_S3_ACCESS_KEYS")).isFalse();
		assertThat(settings.knowsVariable("RETRAIN_SECURITY_APIKEYS_0_PASSWORD")).isFalse();
		assertThat(settings.knowsVariable("RETRAIN_SECURITY_APIKEYS_0_SHA256")).isTrue();
	}

	/**
	 * By default the chart leaves the database pool to the application, which sizes it by
	 * role (DatabasePoolSize: a node its runs + 6, a worker its slots + 3); values set it
	 * per role, or for every pod.
	 */
	@Test
	void databasePoolsAreSizedByRoleUnlessTheValuesSetThem() {
		String pool = "SPRING_DATASOURCE_HIKARI_MAXIMUMPOOLSIZE";
		List<Map<String, Object>> byRole = render(EXAMPLE, Map.of());
		for (String component : List.of("orchestrator", "worker")) {
			assertThat(env(containers(deployment(byRole, component)).get(0))).doesNotContainKey(pool);
		}
		List<Map<String, Object>> perRole = render(EXAMPLE,
				Map.of("database.nodePoolSize", "30", "database.workerPoolSize", "5"));
		assertThat(env(containers(deployment(perRole, "orchestrator")).get(0))).containsEntry(pool, "30");
		assertThat(env(containers(deployment(perRole, "worker")).get(0))).containsEntry(pool, "5");
		List<Map<String, Object>> everyPod = render(EXAMPLE,
				Map.of("database.poolSize", "7", "database.workerPoolSize", "3"));
		assertThat(env(containers(deployment(everyPod, "orchestrator")).get(0))).containsEntry(pool, "7");
		assertThat(env(containers(deployment(everyPod, "worker")).get(0))).containsEntry(pool, "3");
	}

	@Test
	void modelFilesFromAVolumeAreMountedReadOnlyInEveryNodeAndWorker() {
		List<Map<String, Object>> manifests = render(EXAMPLE,
				Map.of("modelFiles.volume.persistentVolumeClaim.claimName", "model-files"));
		List<Map<String, Object>> deployments = kinds(manifests, "Deployment");
		assertThat(deployments).hasSizeGreaterThanOrEqualTo(2);
		for (Map<String, Object> deployment : deployments) {
			Map<String, Object> pod = get(deployment, "spec", "template", "spec");
			List<Map<String, Object>> volumes = get(pod, "volumes");
			assertThat(volumes).filteredOn(v -> "model-files".equals(v.get("name")))
				.singleElement()
				.satisfies(v -> assertThat(v.get("persistentVolumeClaim").toString()).contains("model-files"));
			for (Map<String, Object> container : containers(deployment)) {
				List<Map<String, Object>> mounts = get(container, "volumeMounts");
				assertThat(mounts).filteredOn(m -> "model-files".equals(m.get("name")))
					.singleElement()
					.satisfies(
							m -> assertThat(m).containsEntry("mountPath", "/models").containsEntry("readOnly", true));
			}
		}
		List<Map<String, Object>> none = render(EXAMPLE, Map.of());
		for (Map<String, Object> deployment : kinds(none, "Deployment")) {
			for (Map<String, Object> container : containers(deployment)) {
				List<Map<String, Object>> mounts = get(container, "volumeMounts");
				assertThat(mounts).noneMatch(m -> "model-files".equals(m.get("name")));
			}
		}
	}

	@Test
	void portsProbesAndTheImageAgree() throws IOException {
		Dockerfile docker = Dockerfile.read(DOCKERFILE);
		int exposed = Integer.parseInt(docker.single("EXPOSE"));
		List<Map<String, Object>> manifests = render(EXAMPLE, Map.of());
		for (Map<String, Object> deployment : kinds(manifests, "Deployment")) {
			Map<String, Object> pod = get(deployment, "spec", "template", "spec");
			assertThat((Object) get(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
			assertThat(String.valueOf((Object) get(pod, "securityContext", "runAsUser")))
				.isEqualTo(docker.single("USER").split(":")[0]);
			for (Map<String, Object> container : containers(deployment)) {
				assertThat(container.get("image")).isEqualTo("registry.example.com/retrain-orchestrator:0.1.0");
				List<Map<String, Object>> ports = get(container, "ports");
				assertThat(ports).hasSize(1);
				assertThat(ports.get(0)).containsEntry("name", "http").containsEntry("containerPort", exposed);
				assertThat(env(container)).containsEntry("SERVER_PORT", String.valueOf(exposed));
				Set<String> paths = new TreeSet<>();
				for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
					assertThat((Object) get(container, probe, "httpGet", "port")).as(probe).isEqualTo("http");
					paths.add(get(container, probe, "httpGet", "path"));
				}
				assertThat(paths).isEqualTo(PROBE_PATHS);
				assertThat((Object) get(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
				// the mounts are where the image's settings point, and the only places
				// written
				List<Map<String, Object>> mounts = get(container, "volumeMounts");
				assertThat(mounts).extracting(m -> m.get("mountPath"))
					.contains(docker.env().get("RETRAIN_DATA_DIR"), docker.env().get("RETRAIN_CONFIG_DIR"), "/tmp");
			}
		}
		Map<String, Object> service = kind(manifests, "Service");
		assertThat(this.<List<Map<String, Object>>>get(service, "spec", "ports")).singleElement()
			.satisfies(p -> assertThat(p).containsEntry("targetPort", "http"));
		assertThat(get(service, "spec", "selector").toString())
			.isEqualTo(get(deployment(manifests, "orchestrator"), "spec", "selector", "matchLabels").toString());
		// the image runs the jar it built, with its natives extracted at build time
		assertThat(docker.entrypoint()).endsWith("-jar", "/app/orchestrator.jar");
		assertThat(docker.instructions())
			.anyMatch(
					i -> i.equals("COPY --from=build /src/orchestrator/target/orchestrator.jar /app/orchestrator.jar"))
			.anyMatch(i -> i.startsWith("RUN DJL_CACHE_DIR=" + docker.env().get("DJL_CACHE_DIR") + " ")
					&& i.endsWith("orchestrator.jar natives"));
	}

	/**
	 * A drain evicts one orchestrator at a time (PodDisruptionBudget), and the pods of
	 * each Deployment prefer different machines.
	 */
	@Test
	void orchestratorsAreNotDrainedTogetherAndPodsSpreadOverMachines() {
		List<Map<String, Object>> manifests = render(EXAMPLE, Map.of());
		Map<String, Object> budget = kind(manifests, "PodDisruptionBudget");
		assertThat((Object) get(budget, "spec", "maxUnavailable")).isEqualTo(1);
		assertThat(get(budget, "spec", "selector", "matchLabels").toString())
			.isEqualTo(get(deployment(manifests, "orchestrator"), "spec", "selector", "matchLabels").toString());
		for (String component : List.of("orchestrator", "worker")) {
			Map<String, Object> deployment = deployment(manifests, component);
			List<Map<String, Object>> spread = get(deployment, "spec", "template", "spec", "topologySpreadConstraints");
			assertThat(spread).as(component).singleElement().satisfies(c -> {
				assertThat(c).containsEntry("topologyKey", "kubernetes.io/hostname")
					.containsEntry("whenUnsatisfiable", "ScheduleAnyway")
					.containsEntry("maxSkew", 1);
				assertThat(get(c, "labelSelector", "matchLabels").toString())
					.isEqualTo(get(deployment, "spec", "selector", "matchLabels").toString());
			});
		}
		// one node: no budget (it could only block or allow every drain); spreading off
		List<Map<String, Object>> single = render(EXAMPLE, Map.of("orchestrator.replicas", "1",
				"orchestrator.spreadByHostname", "", "workers.spreadByHostname", "DoNotSchedule"));
		assertThat(kinds(single, "PodDisruptionBudget")).isEmpty();
		assertThat(
				DeploymentIT.<Map<String, Object>>get(deployment(single, "orchestrator"), "spec", "template", "spec"))
			.doesNotContainKey("topologySpreadConstraints");
		assertThat(deployment(single, "worker").toString()).contains("whenUnsatisfiable=DoNotSchedule");
		assertThat(kinds(render(EXAMPLE, Map.of("orchestrator.podDisruptionBudget.enabled", "false")),
				"PodDisruptionBudget"))
			.isEmpty();
	}

	/**
	 * A rolling update hands runs over within the pod's grace period: the preStop pause,
	 * the application's hand-over wait and a margin add up to the grace period, whatever
	 * the values; and a pipeline edit does not roll the nodes (no checksum annotation:
	 * the nodes reload the mounted files).
	 */
	@Test
	void theGracePeriodCoversThePreStopPauseAndTheHandOverAndPipelineEditsDoNotRollTheNodes() {
		for (Map<String, String> values : List.of(Map.<String, String>of(), Map
			.of("orchestrator.shutdown.preStopSeconds", "10", "orchestrator.shutdown.handoverWaitSeconds", "60"))) {
			Map<String, Object> deployment = deployment(render(EXAMPLE, values), "orchestrator");
			Map<String, Object> pod = get(deployment, "spec", "template", "spec");
			Map<String, Object> container = containers(deployment).get(0);
			List<String> preStop = get(container, "lifecycle", "preStop", "exec", "command");
			int pause = Integer.parseInt(preStop.get(1));
			String wait = DeploymentIT.<List<Map<String, Object>>>get(container, "env")
				.stream()
				.filter(e -> "RETRAIN_SHUTDOWN_HANDOVER_WAIT".equals(e.get("name")))
				.map(e -> (String) e.get("value"))
				.findFirst()
				.orElseThrow();
			int handover = Integer.parseInt(wait.replace("s", ""));
			assertThat(preStop.get(0)).isEqualTo("sleep");
			assertThat(pause)
				.isEqualTo(Integer.parseInt(values.getOrDefault("orchestrator.shutdown.preStopSeconds", "5")));
			assertThat(handover)
				.isEqualTo(Integer.parseInt(values.getOrDefault("orchestrator.shutdown.handoverWaitSeconds", "20")));
			assertThat(((Number) pod.get("terminationGracePeriodSeconds")).intValue()).as("grace period")
				.isEqualTo(pause + handover + 15);
			assertThat(this.<Map<String, Object>>getOr(get(deployment, "spec", "template"), Map.of(), "metadata",
					"annotations"))
				.as("no checksum of the pipelines: an edit is reloaded, not rolled out")
				.doesNotContainKey("checksum/pipelines");
		}
	}

	/**
	 * With KEDA's ScaledJob, each waiting step gets a Job whose worker takes one request
	 * and exits: no worker Deployment, the same pod as the Deployment's plus
	 * {@code retrain.workers.max-steps=1}, never restarted by Kubernetes (the queue gives
	 * the request to the next Job).
	 */
	@Test
	void aScaledJobRunsOneStepPerJobWithTheDeploymentsPod() throws IOException {
		Map<String, Object> deploymentPod = get(deployment(render(EXAMPLE, Map.of()), "worker"), "spec", "template",
				"spec");
		List<Map<String, Object>> manifests = render(EXAMPLE, Map.of("workers.keda.kind", "ScaledJob"));
		assertThat(kinds(manifests, "Deployment")).extracting(DeploymentIT::name).noneMatch(n -> n.endsWith("-worker"));
		assertThat(kinds(manifests, "ScaledObject")).isEmpty();
		Map<String, Object> job = kind(manifests, "ScaledJob");
		assertThat((Object) get(job, "spec", "jobTargetRef", "backoffLimit")).isEqualTo(0);
		Map<String, Object> pod = get(job, "spec", "jobTargetRef", "template", "spec");
		assertThat(pod).containsEntry("restartPolicy", "Never");
		List<Map<String, Object>> jobContainers = get(pod, "containers");
		List<Map<String, Object>> env = get(jobContainers.get(0), "env");
		assertThat(env).contains(Map.of("name", "RETRAIN_WORKERS_MAXSTEPS", "value", "1"));
		assertThat(Settings.ofClassPath().knowsVariable("RETRAIN_WORKERS_MAXSTEPS")).isTrue();
		// the rest of the pod is the Deployment's
		Map<String, Object> same = new java.util.HashMap<>(pod);
		same.remove("restartPolicy");
		Map<String, Object> container = new java.util.HashMap<>(jobContainers.get(0));
		container.put("env", env.stream().filter(e -> !"RETRAIN_WORKERS_MAXSTEPS".equals(e.get("name"))).toList());
		same.put("containers", List.of(container));
		assertThat(same).isEqualTo(deploymentPod);
		assertThat(get(job, "spec", "triggers").toString()).contains("queueName=retrain.steps.");
	}

	/**
	 * KEDA scales the workers down slowly (the HPA removes busy pods as well as idle
	 * ones), and watches the queues in the virtual host the application uses.
	 */
	@Test
	void kedaScalesWorkersDownSlowlyAndWatchesTheApplicationsVirtualHost() {
		List<Map<String, Object>> manifests = render(EXAMPLE, Map.of());
		Map<String, Object> scaler = kind(manifests, "ScaledObject");
		assertThat((Object) get(scaler, "spec", "cooldownPeriod")).isEqualTo(600);
		Map<String, Object> scaleDown = get(scaler, "spec", "advanced", "horizontalPodAutoscalerConfig", "behavior",
				"scaleDown");
		assertThat(scaleDown).containsEntry("stabilizationWindowSeconds", 600);
		assertThat(this.<List<Map<String, Object>>>get(scaleDown, "policies")).singleElement()
			.satisfies(p -> assertThat(p).containsEntry("type", "Pods")
				.containsEntry("value", 1)
				.containsEntry("periodSeconds", 60));
		assertVirtualHost(manifests, "/");
		assertVirtualHost(render(EXAMPLE, Map.of("rabbitmq.virtualHost", "ml")), "ml");
	}

	private static void assertVirtualHost(List<Map<String, Object>> manifests, String vhost) {
		for (String component : List.of("orchestrator", "worker")) {
			assertThat(env(containers(deployment(manifests, component)).get(0)))
				.containsEntry("SPRING_RABBITMQ_VIRTUALHOST", vhost);
		}
		List<Map<String, Object>> triggers = get(kind(manifests, "ScaledObject"), "spec", "triggers");
		assertThat(triggers).hasSize(2)
			.allSatisfy(t -> assertThat((Object) get(t, "metadata", "vhostName")).isEqualTo(vhost));
	}

	/**
	 * Both Deployments run as the chart's ServiceAccount (annotated for a cloud
	 * identity), with no Kubernetes API token unless the values ask for one.
	 */
	@Test
	void podsRunAsTheirServiceAccountWithoutAnApiToken() {
		List<Map<String, Object>> manifests = render(EXAMPLE,
				Map.of("serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn", "arn:aws:iam::1:role/retrain"));
		Map<String, Object> account = kind(manifests, "ServiceAccount");
		assertThat(name(account)).isEqualTo("retrain");
		assertThat(this.<Map<String, Object>>get(account, "metadata", "annotations"))
			.containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/retrain");
		assertThat(account).containsEntry("automountServiceAccountToken", false);
		for (Map<String, Object> deployment : kinds(manifests, "Deployment")) {
			Map<String, Object> pod = get(deployment, "spec", "template", "spec");
			assertThat(pod).containsEntry("serviceAccountName", "retrain")
				.containsEntry("automountServiceAccountToken", false);
		}
		List<Map<String, Object>> existing = render(EXAMPLE, Map.of("serviceAccount.create", "false",
				"serviceAccount.name", "ml-jobs", "serviceAccount.automountToken", "true"));
		assertThat(kinds(existing, "ServiceAccount")).isEmpty();
		for (Map<String, Object> deployment : kinds(existing, "Deployment")) {
			Map<String, Object> pod = get(deployment, "spec", "template", "spec");
			assertThat(pod).containsEntry("serviceAccountName", "ml-jobs")
				.containsEntry("automountServiceAccountToken", true);
		}
		assertThatThrownBy(() -> render(EXAMPLE,
				Map.of("serviceAccount.create", "false",
						"serviceAccount.annotations.iam\\.gke\\.io/gcp-service-account", "x")))
			.hasMessageContaining("serviceAccount.annotations need serviceAccount.create");
	}

	/**
	 * The node-local volumes are bounded, a worker requests the one CPU its PyTorch
	 * thread uses, and its heap leaves half of its memory to PyTorch's native memory.
	 */
	@Test
	void volumesAreBoundedAndWorkersLeavePyTorchItsMemory() {
		List<Map<String, Object>> manifests = render(EXAMPLE, Map.of());
		for (Map<String, Object> deployment : kinds(manifests, "Deployment")) {
			List<Map<String, Object>> volumes = get(deployment, "spec", "template", "spec", "volumes");
			Map<String, Object> limits = new TreeMap<>();
			volumes.stream()
				.filter(v -> v.containsKey("emptyDir"))
				.forEach(v -> limits.put((String) v.get("name"), get(v, "emptyDir", "sizeLimit")));
			assertThat(limits).as(name(deployment)).isEqualTo(Map.of("data", "20Gi", "tmp", "2Gi"));
		}
		Map<String, Object> worker = containers(deployment(manifests, "worker")).get(0);
		assertThat((Object) get(worker, "resources", "requests", "cpu")).isEqualTo("1");
		assertThat(this.<Map<String, Object>>get(worker, "resources", "limits")).doesNotContainKey("cpu");
		assertThat(env(worker)).containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=50");
		assertThat(env(containers(deployment(manifests, "orchestrator")).get(0))).containsEntry("JAVA_TOOL_OPTIONS",
				"-XX:MaxRAMPercentage=75");
		// nodes that train themselves leave PyTorch its share too
		List<Map<String, Object>> alone = render(null, Map.of("database.password", "x", "workers.enabled", "false",
				"volumes.dataSizeLimit", "", "workers.javaOptions", "-Xmx1g"));
		assertThat(env(containers(deployment(alone, "orchestrator")).get(0))).containsEntry("JAVA_TOOL_OPTIONS",
				"-XX:MaxRAMPercentage=50");
		List<Map<String, Object>> volumes = get(deployment(alone, "orchestrator"), "spec", "template", "spec",
				"volumes");
		assertThat(volumes).filteredOn(v -> "data".equals(v.get("name")))
			.singleElement()
			.satisfies(v -> assertThat(this.<Map<String, Object>>get(v, "emptyDir")).isEmpty());
		assertThat(
				env(containers(deployment(render(EXAMPLE, Map.of("workers.javaOptions", "-Xmx1g")), "worker")).get(0)))
			.containsEntry("JAVA_TOOL_OPTIONS", "-Xmx1g");
	}

	/**
	 * With networkPolicy.enabled, ingress reaches the orchestrators' HTTP port only, and
	 * nothing reaches the workers.
	 */
	@Test
	void aNetworkPolicyLetsInTheOrchestratorsHttpPortAndNothingToWorkers() {
		assertThat(kinds(render(EXAMPLE, Map.of()), "NetworkPolicy")).isEmpty();
		List<Map<String, Object>> manifests = render(EXAMPLE, Map.of("networkPolicy.enabled", "true"));
		List<Map<String, Object>> policies = kinds(manifests, "NetworkPolicy");
		assertThat(policies).hasSize(2);
		for (Map<String, Object> policy : policies) {
			String component = get(policy, "metadata", "labels", "app.kubernetes.io/component");
			assertThat(get(policy, "spec", "podSelector", "matchLabels").toString())
				.isEqualTo(get(deployment(manifests, component), "spec", "selector", "matchLabels").toString());
			assertThat(this.<List<String>>get(policy, "spec", "policyTypes")).containsExactly("Ingress");
			List<Map<String, Object>> ingress = get(policy, "spec", "ingress");
			if (component.equals("worker")) {
				assertThat(ingress).isEmpty();
			}
			else {
				assertThat(ingress).singleElement().satisfies(rule -> {
					assertThat(rule).doesNotContainKey("from");
					assertThat(this.<List<Map<String, Object>>>get(rule, "ports")).singleElement()
						.satisfies(p -> assertThat(p).containsEntry("port", "http").containsEntry("protocol", "TCP"));
				});
			}
		}
	}

	@Test
	void theChartRefusesValuesThatCannotWorkNamingTheValue() {
		assertThatThrownBy(() -> render(null, Map.of())).hasMessageContaining("database.password")
			.hasMessageContaining("database.existingSecret");
		assertThatThrownBy(() -> render(null, Map.of("database.password", "x")))
			.hasMessageContaining("rabbitmq.password or rabbitmq.existingSecret is required when workers.enabled");
		assertThatThrownBy(() -> render(null,
				Map.of("database.password", "x", "workers.enabled", "false", "workers.keda.enabled", "true")))
			.hasMessageContaining("workers.keda.enabled needs workers.enabled");
		assertThatThrownBy(() -> render(EXAMPLE, Map.of("orchestrator.spreadByHostname", "Preferred")))
			.hasMessageContaining("orchestrator.spreadByHostname must be ScheduleAnyway, DoNotSchedule or empty");
		// without workers: no worker Deployment, no broker settings
		List<Map<String, Object>> manifests = render(null,
				Map.of("database.password", "x", "workers.enabled", "false"));
		assertThat(kinds(manifests, "Deployment")).hasSize(1);
		assertThat(env(containers(deployment(manifests, "orchestrator")).get(0)).keySet())
			.noneMatch(n -> n.startsWith("SPRING_RABBITMQ_") || n.startsWith("RETRAIN_WORKERS_"));
	}

	@Test
	void theRenderedContainersStartAndAnswerTheirProbesAndTheWorkerTakesItsQueue() throws Exception {
		TestPostgres.require(true);
		S3TestServer s3 = S3TestServer.get();
		String bucket = "deploy-" + ID;
		s3.createBucket(bucket);
		String queue = "d" + ID;
		Path work = Files.createDirectories(Path.of("target", "deploy-" + ID)).toAbsolutePath();

		int nodePort = freePort();
		List<Map<String, Object>> forNode = render(inlineValues(nodePort),
				Map.of("workers.queues[0]", queue, "storage.storeUri", "s3://" + bucket + "/models",
						"storage.workspaceUri", "s3://" + bucket + "/work", "storage.s3.endpoint", s3.endpoint()));
		Process node = start(forNode, "orchestrator", work.resolve("node"));
		int workerPort = freePort();
		List<Map<String, Object>> forWorker = render(inlineValues(workerPort),
				Map.of("workers.queues[0]", queue, "storage.storeUri", "s3://" + bucket + "/models",
						"storage.workspaceUri", "s3://" + bucket + "/work", "storage.s3.endpoint", s3.endpoint()));
		Process worker = start(forWorker, "worker", work.resolve("worker"));

		for (Map.Entry<Process, Integer> p : Map.of(node, nodePort, worker, workerPort).entrySet()) {
			for (String path : PROBE_PATHS) {
				await().atMost(Duration.ofMinutes(3))
					.pollInterval(Duration.ofMillis(500))
					.ignoreExceptions()
					.until(() -> {
						assertThat(p.getKey().isAlive()).as("exited; see " + work).isTrue();
						HttpResponse<String> r = this.http.send(
								HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.getValue() + path)).build(),
								HttpResponse.BodyHandlers.ofString());
						return r.statusCode() == 200 && r.body().contains("\"UP\"");
					});
			}
		}
		// the worker takes the queue of RETRAIN_WORKERS_CONSUME, not the command's
		// default
		ConnectionFactory factory = new ConnectionFactory();
		factory.setHost("127.0.0.1");
		try (com.rabbitmq.client.Connection c = factory.newConnection(); Channel channel = c.createChannel()) {
			await().atMost(Duration.ofMinutes(1))
				.ignoreExceptions()
				.until(() -> channel.queueDeclarePassive(WorkerConfiguration.queueName(queue)).getConsumerCount() >= 1);
		}
		try (com.rabbitmq.client.Connection c = factory.newConnection(); Channel channel = c.createChannel()) {
			channel.queueDelete(WorkerConfiguration.queueName(queue));
		}
	}

	/**
	 * What the Dockerfile's build stage runs: {@code natives} extracts PyTorch's
	 * libraries into {@code DJL_CACHE_DIR}, offline, so that the image carries them.
	 */
	@Test
	void theNativesCommandExtractsPyTorchIntoTheCacheDirectory() throws Exception {
		Path cache = Files.createDirectories(Path.of("target", "deploy-natives-" + ID)).toAbsolutePath();
		ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
				RetrainApplication.class.getName(), "natives")
			.redirectErrorStream(true);
		pb.environment().put("DJL_CACHE_DIR", cache.toString());
		Process process = pb.start();
		this.processes.add(process);
		String output = new String(process.getInputStream().readAllBytes());
		assertThat(process.waitFor()).as(output).isZero();

		assertThat(output).contains("PyTorch ").contains(cache.toString());
		try (var files = Files.walk(cache)) {
			assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith("libtorch_cpu"))
				.anyMatch(n -> n.contains("djl_torch"));
		}
	}

	/**
	 * Starts a rendered container as a process: its environment (secrets resolved from
	 * the rendered Secret, the pod's name for {@code metadata.name}), the image's
	 * environment with the volumes' mount paths mapped to directories of this test, and
	 * the image's entry point with this class path instead of the jar.
	 */
	private Process start(List<Map<String, Object>> manifests, String component, Path dir) throws IOException {
		Files.createDirectories(dir);
		Map<String, Object> deployment = deployment(manifests, component);
		Map<String, Object> container = containers(deployment).get(0);
		Dockerfile docker = Dockerfile.read(DOCKERFILE);
		Map<String, String> mounts = Map.of(docker.env().get("RETRAIN_DATA_DIR"), dir.resolve("data").toString(),
				docker.env().get("RETRAIN_CONFIG_DIR"), dir.resolve("pipelines").toString(),
				docker.env().get("DJL_CACHE_DIR"), dir.resolve("djl").toString());
		Files.createDirectories(dir.resolve("pipelines"));
		Map<String, String> environment = new LinkedHashMap<>();
		docker.env().forEach((k, v) -> environment.put(k, mounts.getOrDefault(v, v)));
		Map<String, String> secrets = new HashMap<>();
		for (Map<String, Object> secret : kinds(manifests, "Secret")) {
			secrets.putAll(get(secret, "stringData"));
		}
		for (Map<String, Object> env : this.<List<Map<String, Object>>>get(container, "env")) {
			String value = (String) env.get("value");
			if (value == null) {
				Map<String, Object> from = get(env, "valueFrom");
				value = from.containsKey("secretKeyRef") ? secrets.get((String) get(from, "secretKeyRef", "key"))
						: component + "-pod-" + ID;
				assertThat(value).as("the value of " + env.get("name")).isNotNull();
			}
			environment.put((String) env.get("name"), value);
		}
		List<String> command = new ArrayList<>(docker.entrypoint());
		int jar = command.indexOf("-jar");
		command.subList(jar, jar + 2).clear();
		command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(1, List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), RetrainApplication.class.getName()));
		command.addAll(this.<List<String>>getOr(container, List.of(), "args"));
		command.add("--spring.main.banner-mode=off");
		ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(dir.resolve(component + ".log").toFile());
		pb.environment().putAll(environment);
		Process process = pb.start();
		this.processes.add(process);
		return process;
	}

	/**
	 * Values with every credential inline (the chart makes the Secret), pointing at this
	 * machine's PostgreSQL (trust authentication: any password) and RabbitMQ.
	 */
	private static Path inlineValues(int port) throws IOException {
		Path file = Files.createTempFile("values-", ".yaml");
		file.toFile().deleteOnExit();
		Files.writeString(file,
				"""
						port: %d
						database:
						  url: "%s"
						  username: postgres
						  password: trusted
						  poolSize: 5
						rabbitmq:
						  host: 127.0.0.1
						  username: guest
						  password: guest
						  managementUrl: http://127.0.0.1:15672
						storage:
						  s3:
						    pathStyle: true
						    accessKey: %s
						    secretKey: %s
						security:
						  apiKeys:
						    - {name: ci, sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, roles: [operator]}
						extraEnv:
						  - {name: SPRING_FLYWAY_SCHEMAS, value: %s}
						  - {name: RETRAIN_HEARTBEATINTERVAL, value: 2s}
						"""
					.formatted(port, TestPostgres.url(SCHEMA), S3TestServer.ACCESS_KEY, S3TestServer.SECRET_KEY,
							SCHEMA));
		return file;
	}

	private static List<Map<String, Object>> render(Path values, Map<String, String> sets) {
		var template = new Helm(CHART).template().withName("retrain");
		if (values != null) {
			template = template.withValuesFile(values);
		}
		for (Map.Entry<String, String> set : sets.entrySet()) {
			template = template.set(set.getKey(), set.getValue());
		}
		String text = template.call();
		List<Map<String, Object>> out = new ArrayList<>();
		for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
			if (doc instanceof Map<?, ?> m) {
				@SuppressWarnings("unchecked")
				Map<String, Object> manifest = (Map<String, Object>) m;
				out.add(manifest);
			}
		}
		return out;
	}

	private static List<Map<String, Object>> kinds(List<Map<String, Object>> manifests, String kind) {
		return manifests.stream().filter(m -> kind.equals(m.get("kind"))).toList();
	}

	private static Map<String, Object> kind(List<Map<String, Object>> manifests, String kind) {
		List<Map<String, Object>> all = kinds(manifests, kind);
		assertThat(all).as(kind).hasSize(1);
		return all.get(0);
	}

	private static Map<String, Object> deployment(List<Map<String, Object>> manifests, String component) {
		List<Map<String, Object>> all = kinds(manifests, "Deployment").stream()
			.filter(d -> component.equals(get(d, "metadata", "labels", "app.kubernetes.io/component")))
			.toList();
		assertThat(all).as(component).hasSize(1);
		return all.get(0);
	}

	private static List<Map<String, Object>> containers(Map<String, Object> deployment) {
		return get(deployment, "spec", "template", "spec", "containers");
	}

	private static Map<String, String> env(Map<String, Object> container) {
		Map<String, String> out = new TreeMap<>();
		for (Map<String, Object> e : DeploymentIT.<List<Map<String, Object>>>get(container, "env")) {
			out.put((String) e.get("name"), (String) e.get("value"));
		}
		return out;
	}

	private static String name(Map<String, Object> manifest) {
		return get(manifest, "metadata", "name");
	}

	@SuppressWarnings("unchecked")
	private static <T> T get(Object node, String... path) {
		Object at = node;
		for (String key : path) {
			assertThat(at).as("a map at " + key + " of " + String.join(".", path)).isInstanceOf(Map.class);
			at = ((Map<String, Object>) at).get(key);
		}
		return (T) at;
	}

	private <T> T getOr(Object node, T absent, String... path) {
		Object at = node;
		for (String key : path) {
			if (!(at instanceof Map<?, ?> m) || !m.containsKey(key)) {
				return absent;
			}
			at = m.get(key);
		}
		@SuppressWarnings("unchecked")
		T t = (T) at;
		return t;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static Path repositoryRoot() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.isDirectory(dir.resolve("deploy/helm/retrain"))) {
				return dir;
			}
		}
		throw new IllegalStateException("deploy/helm/retrain not found above " + Path.of("").toAbsolutePath());
	}

	/**
	 * What the application reads: the configuration metadata of every jar (Spring Boot's
	 * and ours, written by spring-boot-configuration-processor), and the {@code ${NAME}}
	 * placeholders of its YAML. A variable is a setting's name in Spring's environment
	 * form (upper case, '.' as '_', no '-'), or an indexed element of a list setting
	 * followed by a component of the element's type.
	 */
	record Settings(Map<String, String> types, Set<String> placeholders) {

		static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

		static Settings ofClassPath() throws IOException {
			ClassLoader loader = DeploymentIT.class.getClassLoader();
			Map<String, String> types = new TreeMap<>();
			JsonMapper json = JsonMapper.builder().build();
			Enumeration<URL> files = loader.getResources("META-INF/spring-configuration-metadata.json");
			while (files.hasMoreElements()) {
				try (InputStream in = files.nextElement().openStream()) {
					for (JsonNode p : json.readTree(in).path("properties")) {
						types.put(p.path("name").asString(), p.path("type").asString(""));
					}
				}
			}
			assertThat(types).as("configuration metadata of retrain.*").containsKey("retrain.store-uri");
			Set<String> placeholders = new TreeSet<>();
			for (String yaml : List.of("application.yaml", "application-postgres.yaml")) {
				try (InputStream in = loader.getResourceAsStream(yaml)) {
					Matcher m = PLACEHOLDER.matcher(new String(in.readAllBytes()));
					while (m.find()) {
						placeholders.add(m.group(1));
					}
				}
			}
			return new Settings(types, placeholders);
		}

		boolean knowsProperty(String property) {
			return knowsVariable(variable(property.replaceAll("\\[(\\d+)]", ".$1")));
		}

		boolean knowsVariable(String variable) {
			if (this.placeholders.contains(variable)) {
				return true;
			}
			for (Map.Entry<String, String> setting : this.types.entrySet()) {
				String name = variable(setting.getKey());
				if (variable.equals(name)) {
					return true;
				}
				// RETRAIN_SECURITY_APIKEYS_0_SHA256: element 0 of a list of records
				Matcher m = Pattern.compile(Pattern.quote(name) + "_\\d+_([A-Z0-9]+)").matcher(variable);
				if (m.matches() && setting.getValue().startsWith("java.util.List<")) {
					String element = setting.getValue().substring("java.util.List<".length()).replace(">", "");
					return componentsOf(element).contains(m.group(1));
				}
				if (variable.matches(Pattern.quote(name) + "_\\d+")
						&& setting.getValue().startsWith("java.util.List<")) {
					return true;
				}
			}
			return false;
		}

		static String variable(String property) {
			return property.replace("-", "").replace('.', '_').toUpperCase(Locale.ROOT);
		}

		static Set<String> componentsOf(String type) {
			try {
				Set<String> out = new TreeSet<>();
				for (RecordComponent c : Class.forName(type).getRecordComponents()) {
					out.add(c.getName().toUpperCase(Locale.ROOT));
				}
				return out;
			}
			catch (ClassNotFoundException | NullPointerException ex) {
				return Set.of();
			}
		}

	}

	/** The instructions of a Dockerfile, continuation lines joined, comments dropped. */
	record Dockerfile(List<String> instructions) {

		static Dockerfile read(Path file) throws IOException {
			List<String> out = new ArrayList<>();
			StringBuilder current = new StringBuilder();
			for (String line : Files.readAllLines(file)) {
				String t = line.strip();
				if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) {
					continue;
				}
				if (t.endsWith("\\")) {
					current.append(t, 0, t.length() - 1).append(' ');
					continue;
				}
				current.append(t);
				out.add(current.toString().replaceAll("\\s+", " ").strip());
				current.setLength(0);
			}
			return new Dockerfile(out);
		}

		/** The final stage's instructions. */
		List<String> last() {
			int from = 0;
			for (int i = 0; i < this.instructions.size(); i++) {
				if (this.instructions.get(i).startsWith("FROM ")) {
					from = i;
				}
			}
			return this.instructions.subList(from, this.instructions.size());
		}

		String single(String keyword) {
			List<String> all = last().stream().filter(i -> i.startsWith(keyword + " ")).toList();
			assertThat(all).as(keyword).hasSize(1);
			return all.get(0).substring(keyword.length() + 1).strip();
		}

		Map<String, String> env() {
			Map<String, String> out = new LinkedHashMap<>();
			Matcher m = Pattern.compile("([A-Z_][A-Z0-9_]*)=(\"[^\"]*\"|\\S+)").matcher("");
			for (String i : last()) {
				if (i.startsWith("ENV ")) {
					m.reset(i.substring(4));
					while (m.find()) {
						out.put(m.group(1), m.group(2).replace("\"", ""));
					}
				}
			}
			return out;
		}

		List<String> entrypoint() throws IOException {
			JsonNode array = JsonMapper.builder().build().readTree(single("ENTRYPOINT"));
			List<String> out = new ArrayList<>();
			array.forEach(n -> out.add(n.asString()));
			return out;
		}

	}

}

package dev.retrain.jobs.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.SerializationFeature;

import dev.retrain.jobs.JobsTestApplication;
import dev.retrain.jobs.TestPostgres;
import dev.retrain.jobs.consistency.ConsistencyCheck;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.faults.Failpoints;
import dev.retrain.models.json.Json;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.models.store.ModelStore;

import static org.awaitility.Awaitility.await;

/**
 * A node of the fault-injection tests, in a JVM of its own: the jobs module on an H2 file
 * database and a data directory that outlive it. It reads commands from standard input
 * and answers each with one line {@code @@ <json>}; everything else it prints is its log.
 * The test kills it with {@code kill -9} when it prints that it reached the armed
 * {@link Failpoints failpoint}.
 */
public final class FaultNode {

	static final String REPLY = "@@ ";

	private final ConfigurableApplicationContext ctx;

	private final PrintStream out;

	private FaultNode(ConfigurableApplicationContext ctx, PrintStream out) {
		this.ctx = ctx;
		this.out = out;
	}

	/**
	 * Arguments: the data directory, the config directory, the H2 database file, and
	 * optionally a PostgreSQL URL and schema to use instead; then any
	 * {@code --name=value} settings (they override the defaults here).
	 */
	public static void main(String[] all) throws Exception {
		PrintStream out = System.out;
		String[] args = Arrays.stream(all).filter(a -> !a.startsWith("--")).toArray(String[]::new);
		boolean postgres = args.length > 4;
		List<String> settings = new ArrayList<>(
				List.of("--retrain.data-dir=" + args[0], "--retrain.config-dir=" + args[1],
						"--spring.datasource.url="
								+ (postgres ? args[3] : "jdbc:h2:file:" + args[2] + ";AUTO_SERVER=FALSE;WRITE_DELAY=0"),
						"--retrain.node-id=fault-node", "--spring.main.banner-mode=off",
						"--logging.level.org.springframework=WARN", "--logging.level.org.flywaydb=WARN",
						"--logging.level.com.zaxxer=WARN"));
		if (postgres) {
			// PostgreSQL: its URL (above) and schema instead of the H2 file
			settings.add("--spring.datasource.username=" + TestPostgres.USER);
			settings.add("--spring.datasource.password=");
			settings.add("--spring.flyway.schemas=" + args[4]);
		}
		for (String extra : Arrays.stream(all).filter(a -> a.startsWith("--")).toList()) {
			// an override replaces the default (Spring would join two values of one key)
			String key = extra.substring(0, extra.indexOf('=') + 1);
			settings.removeIf(s -> s.startsWith(key));
			settings.add(extra);
		}
		ConfigurableApplicationContext ctx = new SpringApplicationBuilder(JobsTestApplication.class)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.run(settings.toArray(String[]::new));
		FaultNode node = new FaultNode(ctx, out);
		node.reply(Map.of("ready", true));
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		for (String line = in.readLine(); line != null; line = in.readLine()) {
			String[] cmd = line.trim().split(" ");
			if (cmd[0].equals("exit")) {
				break;
			}
			try {
				node.reply(node.execute(cmd));
			}
			catch (RuntimeException ex) {
				node.reply(Map.of("error", String.valueOf(ex)));
			}
		}
		ctx.close();
		System.exit(0);
	}

	private void reply(Object value) {
		this.out.println(
				REPLY + Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value));
		this.out.flush();
	}

	private Object execute(String[] cmd) {
		RunLauncher launcher = this.ctx.getBean(RunLauncher.class);
		return switch (cmd[0]) {
			case "launch" -> {
				// launch <pipeline> <asOf> <runKey> <failpoint or ->
				if (cmd[4].equals("-")) {
					System.clearProperty(Failpoints.PROPERTY);
				}
				else {
					System.setProperty(Failpoints.PROPERTY, cmd[4]);
				}
				yield Map.of("runId",
						launcher
							.launch(new RunLauncher.Request(cmd[1], LocalDate.parse(cmd[2]), cmd[3], null,
									Trigger.MANUAL, "fault-injection test"))
							.runId());
			}
			case "restart" -> {
				System.clearProperty(Failpoints.PROPERTY);
				yield Map.of("runId", launcher.restart(Long.parseLong(cmd[1])).runId());
			}
			case "await" -> awaitEnd(Long.parseLong(cmd[1]));
			case "state" -> state(cmd[1]);
			case "runs" -> runs(cmd[1]);
			case "reproduce" -> reproduce(cmd[1], Long.parseLong(cmd[2]));
			default -> throw new IllegalArgumentException("unknown command " + cmd[0]);
		};
	}

	private Map<String, Object> awaitEnd(long runId) {
		RunRecords runs = this.ctx.getBean(RunRecords.class);
		await().atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> runs.find(runId).map(r -> r.endedAt() != null).orElse(false));
		RunRecord r = runs.find(runId).orElseThrow();
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("status", r.status());
		m.put("failureReason", r.failureReason());
		m.put("candidateVersion", r.candidateVersion());
		m.put("decision", (r.decision() != null) ? r.decision().name() : null);
		return m;
	}

	/**
	 * A pipeline's runs, oldest first: id, status, failure reason, what started it, and
	 * the epoch its training resumed from (null before it trained).
	 */
	private List<Map<String, Object>> runs(String pipeline) {
		List<Map<String, Object>> list = new ArrayList<>();
		List<RunRecord> recent = new ArrayList<>(this.ctx.getBean(RunRecords.class).recent(pipeline, 50));
		Collections.reverse(recent);
		for (RunRecord r : recent) {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("runId", r.runId());
			m.put("status", r.status());
			m.put("failureReason", r.failureReason());
			m.put("cause", r.cause());
			m.put("ended", r.endedAt() != null);
			m.put("progress", r.progress());
			var training = (r.details() != null) ? Json.MAPPER.readTree(r.details()).path("training") : null;
			m.put("resumedFromEpoch", (training != null && training.has("resumedFromEpoch"))
					? training.get("resumedFromEpoch").asInt() : null);
			list.add(m);
		}
		return list;
	}

	/**
	 * The invariants' raw material: what the consistency check finds, and the versions.
	 */
	private Map<String, Object> state(String pipeline) {
		ModelRegistry registry = this.ctx.getBean(ModelRegistry.class);
		ModelStore store = this.ctx.getBean(ModelStore.class);
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("disagreements",
				this.ctx.getBean(ConsistencyCheck.class)
					.run()
					.disagreements()
					.stream()
					.map(d -> d.kind() + " " + d.pipeline() + " " + d.subject() + ": " + d.detail())
					.toList());
		m.put("versions", registry.versions(pipeline).stream().map(ModelVersion::version).toList());
		m.put("champion", registry.champion(pipeline).orElse(null));
		m.put("storeEntries", entries(store.versionDir(pipeline, 1).getParent()));
		m.put("activeRuns",
				this.ctx.getBean(RunRecords.class)
					.recent(pipeline, 50)
					.stream()
					.filter(r -> r.endedAt() == null)
					.map(RunRecord::runId)
					.toList());
		return m;
	}

	private static List<String> entries(Path dir) {
		if (!Files.isDirectory(dir)) {
			return List.of();
		}
		try (Stream<Path> list = Files.list(dir)) {
			// versions and leftovers (the copy of the champion alias beside them is not
			// one)
			return list.map(p -> p.getFileName().toString())
				.filter(n -> !n.equals(dev.retrain.models.store.ModelStore.ALIASES))
				.sorted()
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The champion that run {@code runId} measured on its holdout, as that run measured
	 * it and as its metadata recorded it when it was the candidate; loading it from the
	 * store checks its files' hashes. (Not the champion now: that run's own candidate may
	 * have replaced it.)
	 */
	private Map<String, Object> reproduce(String pipeline, long runId) {
		ModelStore store = this.ctx.getBean(ModelStore.class);
		RunRecord run = this.ctx.getBean(RunRecords.class).find(runId).orElseThrow();
		Map<?, ?> details = Json.MAPPER.readValue(run.details(), Map.class);
		Map<?, ?> evaluation = (Map<?, ?>) details.get("evaluation");
		int champion = ((Number) evaluation.get("championVersion")).intValue();
		try (var artifact = store.load(pipeline, champion)) {
			ArtifactMetadata meta = artifact.metadata();
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("evaluatedChampion", champion);
			m.put("recorded", meta.candidateMetrics().get(meta.primaryHoldout()));
			m.put("measured", ((Map<?, ?>) evaluation.get("champion")).get(meta.primaryHoldout()));
			return m;
		}
	}

}

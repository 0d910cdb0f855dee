package dev.retrain.orchestrator.console;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.orchestrator.BenchArgs;
import dev.retrain.orchestrator.RetrainApplication;
import dev.retrain.orchestrator.security.Credentials;

/**
 * Server time to render the console's overview and a pipeline page, with
 * {@code --pipelines} pipelines (each with a daily cron) and {@code --runs} runs in the
 * database (H2, the embedded default), three versions per pipeline: median and p95 over
 * {@code --repeats} requests after a warm-up, measured from a client on loopback (so it
 * includes the HTTP round trip), and the page sizes. Writes {@code console.md}.
 */
public final class ConsoleBenchmark {

	/** Requests per page before measuring: the JIT compiles the rendering first. */
	static final int WARM_UP = 100;

	private ConsoleBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = BenchArgs.parse(args);
		int pipelines = Integer.parseInt(a.getOrDefault("pipelines", "200"));
		int runs = Integer.parseInt(a.getOrDefault("runs", "20000"));
		int repeats = Integer.parseInt(a.getOrDefault("repeats", "100"));
		Path out = Files.createDirectories(Path.of(a.getOrDefault("out", "target/benchmarks")).toAbsolutePath());
		Path home = Files.createTempDirectory(out, "console-");
		Path configs = Files.createDirectories(home.resolve("configs"));
		for (int i = 0; i < pipelines; i++) {
			String name = String.format(Locale.ROOT, "p%03d", i);
			PipelineFixtures.write(configs, name, PipelineFixtures.yaml(name, "data", PipelineFixtures.GOOD_MODEL,
					"schedule:\n  cron: \"0 0 3 * * ?\"\n  time-zone: UTC"));
		}
		ConfigurableApplicationContext app = SpringApplication.run(RetrainApplication.class, "--server.port=0",
				"--retrain.data-dir=" + home.resolve("data"), "--retrain.config-dir=" + configs,
				"--retrain.security.users[0].name=admin",
				"--retrain.security.users[0].password=" + Credentials.hashPassword("admin-pw"),
				"--retrain.security.users[0].roles[0]=admin", "--logging.level.root=WARN",
				"--spring.main.banner-mode=off");
		try {
			fill(app.getBean(JdbcTemplate.class), pipelines, runs);
			int port = ((WebServerApplicationContext) app).getWebServer().getPort();
			HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
			signIn(http, port);
			String md = String.format(Locale.ROOT,
					"%d pipelines, %d runs, %d versions (H2); %d requests per page after " + WARM_UP + " of warm-up, "
							+ "one client on loopback; %d cores, Java %s%n%n| page | median | p95 | size |%n"
							+ "| --- | ---: | ---: | ---: |%n",
					pipelines, runs, pipelines * 3, repeats, Runtime.getRuntime().availableProcessors(),
					System.getProperty("java.version"))
					+ measure(http, port, "overview (first page of 50)", "/console", repeats)
					+ measure(http, port, "overview sorted by last run", "/console?sort=last-run", repeats)
					+ measure(http, port, "pipeline page (20 runs of " + (runs / pipelines) + ")",
							"/console/pipelines/p100", repeats);
			Files.writeString(out.resolve("console.md"), md);
			System.out.println(md);
		}
		finally {
			app.close();
		}
	}

	/** Runs spread over the pipelines, three versions each, the last one champion. */
	static void fill(JdbcTemplate jdbc, int pipelines, int runs) {
		Instant start = Instant.parse("2026-01-01T00:00:00Z");
		List<Object[]> rows = new ArrayList<>();
		for (int r = 1; r <= runs; r++) {
			String p = String.format(Locale.ROOT, "p%03d", r % pipelines);
			Instant created = start.plusSeconds(60L * r);
			rows.add(new Object[] { 1_000_000L + r, 1_000_000L + r, p, java.sql.Date.valueOf("2026-01-01"),
					"bench-" + r, (r % 3 == 0) ? "schedule" : "manual", (r % 17 == 0) ? "FAILED" : "COMPLETED",
					Timestamp.from(created), Timestamp.from(created.plusSeconds(30)) });
		}
		jdbc.batchUpdate("INSERT INTO retrain_run (run_id, job_instance_id, pipeline, as_of, run_key, trigger_type, "
				+ "status, created_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows);
		List<Object[]> versions = new ArrayList<>();
		for (int i = 0; i < pipelines; i++) {
			String p = String.format(Locale.ROOT, "p%03d", i);
			for (int v = 1; v <= 3; v++) {
				versions.add(new Object[] { p, v, Timestamp.from(start.plusSeconds(3600L * v)), "RETRAIN", "ds-" + v,
						"h", "roc_auc", 0.6 + 0.01 * v, "PROMOTE", "bench", "{}", "models/" + p + "/" + v });
			}
		}
		jdbc.batchUpdate("INSERT INTO model_version (pipeline, version, created_at, mode, snapshot_id, config_hash, "
				+ "primary_metric, primary_value, decision, decision_summary, metrics, path) "
				+ "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", versions);
		List<Object[]> aliases = new ArrayList<>();
		for (int i = 0; i < pipelines; i++) {
			aliases.add(new Object[] { String.format(Locale.ROOT, "p%03d", i), Timestamp.from(start) });
		}
		jdbc.batchUpdate("INSERT INTO model_alias (pipeline, alias, version, updated_at) VALUES (?, 'champion', 3, ?)",
				aliases);
	}

	static void signIn(HttpClient http, int port) throws Exception {
		String login = http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login")).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
		Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login);
		if (!csrf.find()) {
			throw new IllegalStateException("no CSRF token on the login page");
		}
		String form = "username=admin&password=admin-pw&_csrf="
				+ URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
		http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build(), HttpResponse.BodyHandlers.discarding());
	}

	static String measure(HttpClient http, int port, String name, String path, int repeats) throws Exception {
		List<Double> ms = new ArrayList<>();
		int size = 0;
		for (int i = 0; i < WARM_UP + repeats; i++) {
			long t0 = System.nanoTime();
			HttpResponse<String> r = http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
					HttpResponse.BodyHandlers.ofString());
			long t1 = System.nanoTime();
			if (r.statusCode() != 200 || !r.body().contains("<table")) {
				throw new IllegalStateException(path + " answered " + r.statusCode() + " (signed in?)");
			}
			size = r.body().length();
			if (i >= WARM_UP) {
				ms.add((t1 - t0) / 1e6);
			}
		}
		ms.sort(Double::compare);
		return String.format(Locale.ROOT, "| %s | %.1f ms | %.1f ms | %,d bytes |%n", name, ms.get(ms.size() / 2),
				ms.get((int) Math.ceil(0.95 * ms.size()) - 1), size);
	}

}

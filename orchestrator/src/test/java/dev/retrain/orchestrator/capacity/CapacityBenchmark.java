package dev.retrain.orchestrator.capacity;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
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
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.models.json.Json;
import dev.retrain.orchestrator.BenchArgs;
import dev.retrain.orchestrator.RetrainApplication;
import dev.retrain.orchestrator.security.Credentials;

import static org.awaitility.Awaitility.await;

/**
 * The lists and pages people read, with a year of history on PostgreSQL: the real
 * application with {@code --pipelines} pipeline files (each with a daily retrain and a
 * daily drift check), {@code --runs} runs (the run table and Spring Batch's job
 * instances, executions, parameters, steps and contexts), {@code --versions} model
 * versions (with their aliases and champion history), {@code --audit} audit rows and
 * {@code --drift} drift reports (and a drift event per drifted report).
 * <p>
 * The state is made in two moves. First one real run of {@code p000} over sample data and
 * one real drift check, so the rows have the shapes and sizes the product writes (the
 * run's details with its training curve and metrics, the version's metrics, a drift
 * report with its histograms, Spring Batch's own rows); then those rows are copied in
 * bulk with SQL ({@code INSERT ... SELECT ... FROM generate_series}) over the pipelines
 * and a year of dates: a tenth of the pipelines retrain daily and hold 36.5% of the runs,
 * versions and reports (365 each at full size), the others about 70 each; statuses,
 * triggers and decisions mixed. The seed's own rows are then replaced by the copies, so
 * every count is exact.
 * <p>
 * Then each list or page is requested {@code --warm-up} times, and {@code --repeats}
 * times measured, one request after the other, by a client on loopback (so a figure
 * includes the HTTP round trip): median, p95 and p99, the size of the answer, and whether
 * it meets its aim (REST p95 &lt; 200 ms, console p95 &lt; 150 ms). REST with an API key,
 * the console with a signed-in session; {@code --only=<words>} measures only the requests
 * whose kind and name contain them (for example {@code --only=overview}). Writes
 * {@code capacity.md} under {@code --out}.
 * <p>
 * {@link #main} works in a database of its own ({@code --database}, default
 * {@code capacity}, created on 127.0.0.1:5432 and dropped afterwards unless
 * {@code --keep}); {@link #run} takes any JDBC URL (the smoke test gives it a schema).
 */
public final class CapacityBenchmark {

	/** REST lists and searches: p95 below this. */
	static final double REST_AIM_MS = 200;

	/** Console pages: p95 below this. */
	static final double CONSOLE_AIM_MS = 150;

	static final String API_KEY = "capacity-key-7d1e";

	/** How much state, and how many requests per figure. */
	public record Sizes(int pipelines, int runs, int versions, int audit, int drift, int warmUp, int repeats) {

		public static Sizes full() {
			return new Sizes(1000, 100_000, 100_000, 1_000_000, 100_000, 30, 200);
		}

		static Sizes of(Map<String, String> a) {
			Sizes d = full();
			return new Sizes(Integer.parseInt(a.getOrDefault("pipelines", "" + d.pipelines())),
					Integer.parseInt(a.getOrDefault("runs", "" + d.runs())),
					Integer.parseInt(a.getOrDefault("versions", "" + d.versions())),
					Integer.parseInt(a.getOrDefault("audit", "" + d.audit())),
					Integer.parseInt(a.getOrDefault("drift", "" + d.drift())),
					Integer.parseInt(a.getOrDefault("warm-up", "" + d.warmUp())),
					Integer.parseInt(a.getOrDefault("repeats", "" + d.repeats())));
		}

	}

	/** One measured list or page. */
	public record Figure(String kind, String name, String path, double median, double p95, double p99, int bytes,
			double aim) {

		public boolean met() {
			return this.p95 < this.aim;
		}

	}

	/**
	 * What was measured: the figures, the rows in each table, how long the state took to
	 * make and the figures to measure, and the markdown table.
	 */
	public record Result(Sizes sizes, Map<String, Long> rows, List<Figure> figures, long seedMillis,
			long generateMillis, long measureMillis, String postgres, String load, String markdown) {
	}

	private CapacityBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> a = BenchArgs.parse(args);
		Sizes sizes = Sizes.of(a);
		Path out = Path.of(a.getOrDefault("out", "target/benchmarks"));
		String database = a.getOrDefault("database", "capacity");
		if (!database.matches("[a-z_][a-z0-9_]*")) {
			throw new IllegalArgumentException("--database: lower-case letters, digits and _");
		}
		String server = "jdbc:postgresql://127.0.0.1:5432/";
		// --reuse: measure again on the state a --keep run left, without making it again
		boolean reuse = a.containsKey("reuse");
		if (!reuse) {
			try (Connection c = DriverManager.getConnection(server + "test", "postgres", "");
					Statement s = c.createStatement()) {
				s.execute("DROP DATABASE IF EXISTS " + database);
				s.execute("CREATE DATABASE " + database);
			}
		}
		int status = 0;
		try {
			Result r = run(sizes, server + database, null, out, !reuse, a.get("only"));
			System.out.println(r.markdown());
		}
		catch (Exception ex) {
			ex.printStackTrace();
			status = 1;
		}
		finally {
			if (!a.containsKey("keep")) {
				try (Connection c = DriverManager.getConnection(server + "test", "postgres", "");
						Statement s = c.createStatement()) {
					s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
				}
			}
		}
		System.exit(status);
	}

	/**
	 * The benchmark on the PostgreSQL database at {@code url} (user postgres, no
	 * password), in {@code schema} when not null (Flyway then migrates that schema).
	 */
	public static Result run(Sizes sizes, String url, String schema, Path out) throws Exception {
		return run(sizes, url, schema, out, true, null);
	}

	static Result run(Sizes sizes, String url, String schema, Path out, boolean generate, String only)
			throws Exception {
		if (sizes.pipelines() < 2) {
			throw new IllegalArgumentException("at least 2 pipelines");
		}
		Files.createDirectories(out);
		Path home = Files.createTempDirectory(out.toAbsolutePath(), "capacity-");
		Path data = home.resolve("var");
		Path configs = home.resolve("configs");
		PipelineFixtures.sampleData(data, "sample", 150, 31);
		// daily, at hours far from now: no schedule fires while the benchmark runs
		int hour = (Instant.now().atOffset(ZoneOffset.UTC).getHour() + 12) % 24;
		String schedules = String.format(Locale.ROOT, """
				schedule:
				  cron: "0 0 %d * * ?"
				  time-zone: UTC
				drift:
				  schedule:
				    cron: "0 30 %d * * ?"
				    time-zone: UTC""", hour, hour);
		for (int i = 0; i < sizes.pipelines(); i++) {
			PipelineFixtures.write(configs, name(i),
					PipelineFixtures.yaml(name(i), "sample", PipelineFixtures.GOOD_MODEL, schedules));
		}
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.profiles.active=postgres",
				"--spring.datasource.url=" + url, "--spring.datasource.username=postgres",
				"--spring.datasource.password=", "--retrain.data-dir=" + data, "--retrain.config-dir=" + configs,
				"--spring.quartz.properties.org.quartz.scheduler.instanceName=capacity-" + System.nanoTime(),
				"--retrain.security.users[0].name=admin",
				"--retrain.security.users[0].password=" + Credentials.hashPassword("admin-pw"),
				"--retrain.security.users[0].roles[0]=admin", "--retrain.security.api-keys[0].name=capacity",
				"--retrain.security.api-keys[0].sha256=" + Credentials.hashApiKey(API_KEY),
				"--retrain.security.api-keys[0].roles[0]=operator", "--logging.level.root=WARN",
				"--spring.main.banner-mode=off"));
		if (schema != null) {
			args.add("--spring.flyway.schemas=" + schema);
		}
		try (ConfigurableApplicationContext app = SpringApplication.run(RetrainApplication.class,
				args.toArray(String[]::new))) {
			int port = ((WebServerApplicationContext) app).getWebServer().getPort();
			JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
			Http http = new Http(port);

			long t0 = System.nanoTime();
			long seedRun = generate ? seed(http) : 0;
			long t1 = System.nanoTime();
			Instant end = generate ? Instant.now().minus(1, ChronoUnit.HOURS)
					: jdbc.queryForObject("SELECT MAX(created_at) FROM retrain_run", OffsetDateTime.class).toInstant();
			Generator generator = new Generator(jdbc, sizes, end);
			if (generate) {
				generator.generate(seedRun);
			}
			Map<String, Long> rows = generator.counts();
			long t2 = System.nanoTime();

			http.signIn();
			String loadBefore = load();
			List<Figure> figures = measure(http, sizes, generator, only);
			long t3 = System.nanoTime();

			String postgres = jdbc.queryForObject("SHOW server_version", String.class);
			Result result = new Result(sizes, rows, figures, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
					(t3 - t2) / 1_000_000, postgres, loadBefore + " before, " + load() + " after", null);
			String md = markdown(result);
			Files.writeString(out.resolve("capacity.md"), md);
			return new Result(sizes, rows, figures, result.seedMillis(), result.generateMillis(),
					result.measureMillis(), postgres, result.load(), md);
		}
	}

	/**
	 * The busiest pipeline (a daily one other than the seed's): the lists are longest
	 * there.
	 */
	static String measured() {
		return name(1);
	}

	static String name(int i) {
		return String.format(Locale.ROOT, "p%03d", i);
	}

	/**
	 * One real run of p000 and one real drift check: the rows the copies are made from.
	 */
	private static long seed(Http http) throws Exception {
		HttpResponse<String> launched = http.api("POST", "/api/pipelines/p000/runs",
				"{\"asOf\":\"" + PipelineFixtures.LAST + "\"}");
		if (launched.statusCode() != 202) {
			throw new IllegalStateException("seed launch answered " + launched.statusCode() + ": " + launched.body());
		}
		long runId = Json.MAPPER.readTree(launched.body()).get("runId").asLong();
		JsonNode[] run = new JsonNode[1];
		await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
			run[0] = Json.MAPPER.readTree(http.api("GET", "/api/runs/" + runId, null).body());
			return run[0].hasNonNull("endedAt");
		});
		if (!"COMPLETED".equals(run[0].path("status").asString())) {
			throw new IllegalStateException("the seed run did not complete: " + run[0]);
		}
		HttpResponse<String> check = http.api("POST", "/api/pipelines/p000/drift-checks",
				"{\"asOf\":\"" + PipelineFixtures.LAST + "\"}");
		if (check.statusCode() != 200) {
			throw new IllegalStateException("seed drift check answered " + check.statusCode() + ": " + check.body());
		}
		return runId;
	}

	private static List<Figure> measure(Http http, Sizes sizes, Generator g, String only) throws Exception {
		String p = measured();
		int runsOfP = g.runsOf(p);
		int lastPage = Math.max(0, (runsOfP - 1) / 50);
		int allPages = Math.max(0, (sizes.runs() - 1) / 50);
		Instant to = g.end();
		Instant from = to.minus(90, ChronoUnit.DAYS);
		Instant auditFrom = to.minus(60, ChronoUnit.DAYS);
		Instant auditTo = to.minus(30, ChronoUnit.DAYS);
		List<String[]> requests = new ArrayList<>();
		requests.add(new String[] { "REST", "runs of a pipeline, first page (50 of " + runsOfP + ")",
				"/api/runs?pipeline=" + p });
		requests.add(new String[] { "REST", "runs of a pipeline, last page (page " + lastPage + ")",
				"/api/runs?pipeline=" + p + "&page=" + lastPage });
		requests.add(new String[] { "REST", "runs of a pipeline, failed in the last 90 days",
				"/api/runs?pipeline=" + p + "&status=FAILED&from=" + from + "&to=" + to });
		requests.add(new String[] { "REST", "runs of all pipelines, first page", "/api/runs" });
		requests.add(new String[] { "REST", "runs of all pipelines, page " + allPages / 2 + " (middle)",
				"/api/runs?page=" + allPages / 2 });
		long run = g.newestRunOf(p);
		requests.add(new String[] { "REST", "one run with its steps", "/api/runs/" + run });
		requests
			.add(new String[] { "REST", "versions of a pipeline (" + g.versionsOf(p) + ", with aliases and history)",
					"/api/models/" + p + "/versions" });
		requests.add(new String[] { "REST", "audit of a pipeline, newest 100", "/api/audit?pipeline=" + p });
		requests.add(new String[] { "REST", "audit of a pipeline in a 30-day range",
				"/api/audit?pipeline=" + p + "&from=" + auditFrom + "&to=" + auditTo });
		requests.add(new String[] { "REST", "audit of all pipelines in a 30-day range",
				"/api/audit?from=" + auditFrom + "&to=" + auditTo });
		requests.add(new String[] { "REST", "audit of one action (PROMOTE), newest 100", "/api/audit?action=PROMOTE" });
		requests.add(new String[] { "REST", "drift history of a pipeline (30 reports)",
				"/api/pipelines/" + p + "/drift/history" });
		requests
			.add(new String[] { "REST", "drift events of a pipeline (30)", "/api/pipelines/" + p + "/drift-events" });
		requests.add(new String[] { "console", "overview (first page of 50)", "/console" });
		requests.add(new String[] { "console", "overview sorted by last run", "/console?sort=last-run" });
		requests.add(new String[] { "console", "overview sorted by last run status", "/console?sort=status" });
		requests.add(new String[] { "console", "overview sorted by champion metric", "/console?sort=metric" });
		requests.add(new String[] { "console", "overview sorted by drift status", "/console?sort=drift" });
		requests.add(new String[] { "console", "overview, a later page (page 10 of 20)", "/console?page=10" });
		requests.add(new String[] { "console", "pipeline page (newest runs and versions)", "/console/pipelines/" + p });
		requests.add(new String[] { "console", "pipeline page, a later page of runs",
				"/console/pipelines/" + p + "?page=" + (runsOfP / 20) / 2 });
		requests.add(new String[] { "console", "run page", "/console/runs/" + run });
		requests.add(new String[] { "console", "drift page", "/console/drift/" + p });
		requests
			.add(new String[] { "console", "audit page of a pipeline (200 entries)", "/console/audit?pipeline=" + p });
		List<Figure> figures = new ArrayList<>();
		for (String[] r : requests) {
			// --only=<words>: the requests whose name contains them
			if (only == null || (r[0] + " " + r[1]).contains(only)) {
				figures.add(http.measure(r[0], r[1], r[2], sizes));
			}
		}
		return figures;
	}

	static String markdown(Result r) {
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT,
				"PostgreSQL %s; %,d pipelines, %,d runs, %,d versions, %,d audit rows, %,d drift reports; "
						+ "pipeline measured: %s; %d requests per figure after %d of warm-up, one client on loopback; "
						+ "%d cores, Java %s; load average (1 min) %s the measurement. %s, measurement %.1f s.%n%n",
				r.postgres(), r.sizes().pipelines(), r.rows().getOrDefault("retrain_run", 0L),
				r.rows().getOrDefault("model_version", 0L), r.rows().getOrDefault("audit_log", 0L),
				r.rows().getOrDefault("drift_report", 0L), measured(), r.sizes().repeats(), r.sizes().warmUp(),
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), r.load(),
				(r.seedMillis() == 0) ? "State made by an earlier run (--reuse)"
						: String.format(Locale.ROOT, "Seed run and check %.1f s, bulk generation %.1f s",
								r.seedMillis() / 1000.0, r.generateMillis() / 1000.0),
				r.measureMillis() / 1000.0));
		md.append("| | request | median | p95 | p99 | size | aim (p95) |\n");
		md.append("| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
		for (Figure f : r.figures()) {
			md.append(String.format(Locale.ROOT,
					"| %s | %s `%s` | %.1f ms | %.1f ms | %.1f ms | %,d B | < %.0f ms %s |%n", f.kind(), f.name(),
					f.path().replaceAll("([?&])(from|to)=[^&]*", "$1$2=…"), f.median(), f.p95(), f.p99(), f.bytes(),
					f.aim(), f.met() ? "met" : "**missed**"));
		}
		md.append("\nRows: ");
		r.rows().forEach((t, n) -> md.append(String.format(Locale.ROOT, "%s %,d; ", t, n)));
		md.setLength(md.length() - 2);
		md.append('\n');
		return md.toString();
	}

	/** The HTTP client: REST with the API key, the console with a signed-in session. */
	static final class Http {

		private final int port;

		private final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

		Http(int port) {
			this.port = port;
		}

		HttpResponse<String> api(String method, String path, String json) throws Exception {
			HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
				.header("X-API-Key", API_KEY)
				.timeout(Duration.ofMinutes(2));
			if (json != null) {
				b.header("Content-Type", "application/json");
			}
			b.method(method,
					(json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody());
			return this.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
		}

		void signIn() throws Exception {
			String login = this.client
				.send(HttpRequest.newBuilder(uri("/login")).build(), HttpResponse.BodyHandlers.ofString())
				.body();
			Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login);
			if (!csrf.find()) {
				throw new IllegalStateException("no CSRF token on the login page");
			}
			String form = "username=admin&password=admin-pw&_csrf="
					+ URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
			this.client.send(HttpRequest.newBuilder(uri("/login"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form))
				.build(), HttpResponse.BodyHandlers.discarding());
		}

		Figure measure(String kind, String name, String path, Sizes sizes) throws Exception {
			boolean console = kind.equals("console");
			List<Double> ms = new ArrayList<>();
			int size = 0;
			for (int i = 0; i < sizes.warmUp() + sizes.repeats(); i++) {
				HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofMinutes(2));
				if (!console) {
					b.header("X-API-Key", API_KEY);
				}
				long t0 = System.nanoTime();
				HttpResponse<String> r = this.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
				long t1 = System.nanoTime();
				if (r.statusCode() != 200 || (console && !r.body().contains("<table"))) {
					throw new IllegalStateException(path + " answered " + r.statusCode() + ": "
							+ r.body().substring(0, Math.min(500, r.body().length())));
				}
				size = r.body().getBytes(StandardCharsets.UTF_8).length;
				if (i >= sizes.warmUp()) {
					ms.add((t1 - t0) / 1e6);
				}
			}
			ms.sort(Double::compare);
			Figure f = new Figure(kind, name, path, percentile(ms, 0.5), percentile(ms, 0.95), percentile(ms, 0.99),
					size, console ? CONSOLE_AIM_MS : REST_AIM_MS);
			System.out.printf(Locale.ROOT, "%s %s: median %.1f ms, p95 %.1f ms, p99 %.1f ms (load %s)%n", kind, name,
					f.median(), f.p95(), f.p99(), load());
			return f;
		}

		private static double percentile(List<Double> sorted, double q) {
			return sorted.get(Math.max(0, (int) Math.ceil(q * sorted.size()) - 1));
		}

		private URI uri(String path) {
			return URI.create("http://127.0.0.1:" + this.port + path);
		}

	}

	/** The machine's load average over the last minute (Linux), or "?" elsewhere. */
	static String load() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
		}
		catch (Exception ex) {
			return "?";
		}
	}

}

package dev.retrain.orchestrator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.generator.SampleDataSpec;
import dev.retrain.models.json.Json;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.WEAK_MODEL;
import static dev.retrain.orchestrator.ApiClient.ADMIN;
import static dev.retrain.orchestrator.ApiClient.OPERATOR;
import static dev.retrain.orchestrator.ApiClient.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web console in a real browser: Debian's chromium, headless, driven by Selenium
 * through chromium-driver, against the application on a random port with real runs. Each
 * test saves a screenshot under {@code target/console-screenshots}, and fails if the
 * browser refused anything by the console's Content-Security-Policy. CI installs chromium
 * and requires these tests; a machine without it (and without CI=true) skips them.
 */
@SpringBootTest(classes = RetrainApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
class ConsoleBrowserIT {

	static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	static final Path DRIVER = Path.of("/usr/bin/chromedriver");

	static final TestDirs DIRS = TestDirs.create("console");

	static final LocalDate SHIFT_START = LocalDate.parse("2024-01-01");

	static {
		PipelineFixtures.sampleData(DIRS.data(), "shared", 150, 91);
		PipelineFixtures.write(DIRS.configs(), "churn", PipelineFixtures.yaml("churn", "shared", GOOD_MODEL, ""));
		PipelineFixtures.write(DIRS.configs(), "models", PipelineFixtures.yaml("models", "shared", WEAK_MODEL, ""));
		// many small epochs: a run that trains long enough to watch its curve grow
		PipelineFixtures.write(DIRS.configs(), "slow", PipelineFixtures.yaml("slow", "shared", """
				family: mlp
				hidden-layers: [16]
				epochs: 400
				batch-size: 16
				learning-rate: 0.01
				early-stopping:
				  patience: 50
				seed: 7""", ""));
		PipelineFixtures.write(DIRS.configs(), "forcing", PipelineFixtures.yaml("forcing", "shared", GOOD_MODEL, ""));
		PipelineFixtures.write(DIRS.configs(), "checked", PipelineFixtures.yaml("checked", "shared", GOOD_MODEL, ""));
		// inputs shift from the 31st day on: a champion trained before it, checked after
		// it
		try {
			new SampleDataGenerator().write(DIRS.data().resolve("shifting"),
					SampleDataSpec.stable(SHIFT_START, 40, 150, 93).withCovariateShift(SHIFT_START.plusDays(30), 3.0));
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		PipelineFixtures.write(DIRS.configs(), "drifty",
				PipelineFixtures.yaml("drifty", "shifting", GOOD_MODEL, "drift:\n  cooldown-hours: 24"));
	}

	@DynamicPropertySource
	static void dirs(DynamicPropertyRegistry registry) {
		DIRS.register(registry);
	}

	@LocalServerPort
	int port;

	@Autowired
	ModelRegistry registry;

	@Autowired
	RunRecords runs;

	WebDriver browser;

	Path profile;

	/**
	 * Parts of error messages a test causes on purpose (a refused request): the browser
	 * logs them, and they do not fail it.
	 */
	final List<String> expectedErrors = new ArrayList<>();

	@BeforeAll
	static void browserInstalled() {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
		if (!installed && "true".equals(System.getenv("CI"))) {
			throw new IllegalStateException("CI requires chromium and chromium-driver (.ci/run installs them)");
		}
		Assumptions.assumeTrue(installed,
				"no chromium/chromium-driver: browser tests skipped (apt-get install chromium chromium-driver)");
	}

	@BeforeEach
	void open() throws Exception {
		this.profile = Files.createTempDirectory("chromium-profile");
		ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
			.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
					"--disable-background-networking", "--disable-component-update", "--disable-sync",
					"--disable-dev-shm-usage", "--window-size=1400,1000", "--user-data-dir=" + this.profile);
		// the page's console messages, where the browser reports what a
		// Content-Security-Policy refused
		options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
			.usingAnyFreePort()
			.build();
		this.browser = new ChromeDriver(service, options);
		this.browser.manage().timeouts().implicitlyWait(Duration.ZERO);
	}

	@AfterEach
	void close(TestInfo test) throws Exception {
		if (this.browser != null) {
			List<LogEntry> logged = this.browser.manage().logs().get(LogType.BROWSER).getAll();
			List<String> refused = logged.stream()
				.map(LogEntry::getMessage)
				.filter(m -> m.contains("Content Security Policy"))
				.toList();
			// any error the browser logged (a script's exception, an SVG attribute it
			// could
			// not parse, a resource that failed to load) fails the test, but for those
			// the
			// test caused on purpose
			List<String> errors = logged.stream()
				.filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
				.map(LogEntry::getMessage)
				.filter(m -> this.expectedErrors.stream().noneMatch(m::contains))
				.toList();
			shot(test.getTestMethod().orElseThrow().getName());
			this.browser.quit();
			assertThat(refused).as("refused by the Content-Security-Policy").isEmpty();
			assertThat(errors).as("errors in the browser's console log").isEmpty();
		}
	}

	@AfterAll
	static void done() {
		// the application context (and its H2 files in the temporary directory) is
		// shared with nothing else
	}

	/** Saves what the browser shows as {@code target/console-screenshots/<name>.png}. */
	private void shot(String name) throws Exception {
		Path dir = Files.createDirectories(Path.of("target", "console-screenshots"));
		Path shot = ((TakesScreenshot) this.browser).getScreenshotAs(OutputType.FILE).toPath();
		Files.copy(shot, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	private void signIn(String user) {
		this.browser.get(url("/console"));
		await().atMost(Duration.ofSeconds(20)).until(() -> this.browser.getCurrentUrl().contains("/login"));
		this.browser.findElement(By.id("username")).sendKeys(user);
		this.browser.findElement(By.id("password")).sendKeys(user + "-pw");
		this.browser.findElement(By.id("sign-in")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> !this.browser.findElements(By.id("pipelines")).isEmpty());
	}

	private String text(String id) {
		return this.browser.findElement(By.id(id)).getText();
	}

	/**
	 * Launches a run over the API and waits for its end; returns its candidate version.
	 */
	private int runToEnd(String pipeline, String key) throws Exception {
		return runToEnd(pipeline, key, null);
	}

	private int runToEnd(String pipeline, String key, LocalDate asOf) throws Exception {
		var launched = ApiClient.as(this.port, OPERATOR)
			.send("POST", "/api/pipelines/" + pipeline + "/runs", "application/json",
					"{\"runKey\":\"" + key + "\"" + ((asOf != null) ? ",\"asOf\":\"" + asOf + "\"" : "") + "}");
		assertThat(launched.statusCode()).as(launched.body()).isEqualTo(202);
		long runId = Long.parseLong(launched.body().replaceAll(".*\"runId\":(\\d+).*", "$1"));
		await().atMost(Duration.ofMinutes(3))
			.until(() -> this.runs.find(runId).map(r -> r.endedAt() != null).orElse(false));
		var run = this.runs.find(runId).orElseThrow();
		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		return run.candidateVersion();
	}

	@Test
	void aViewerSignsInSeesEveryPipelineAndNoActionAndAForgedPostIsRefused() throws Exception {
		signIn(VIEWER);

		assertThat(this.browser.findElements(By.cssSelector("#pipelines tr[data-pipeline]")))
			.extracting(e -> e.getAttribute("data-pipeline"))
			.containsExactly("checked", "churn", "drifty", "forcing", "models", "slow");
		assertThat(text("user-name")).isEqualTo(VIEWER);
		shot("overview");
		this.browser.get(url("/console/pipelines/churn"));
		shot("pipeline");
		assertThat(this.browser.findElements(By.id("launch"))).as("a viewer sees no launch button").isEmpty();
		assertThat(this.browser.findElements(By.tagName("button"))).extracting(WebElement::getText)
			.containsOnly("Sign out");

		// a forged form post from the viewer's own session: without the CSRF token, and
		// with it: both refused, and no run is made
		long before = this.runs.search("churn", null, null, null, null, 0, 1).total();
		this.expectedErrors.add("/console/pipelines/churn/runs - Failed to load resource: the server responded with a "
				+ "status of 403");
		String csrf = this.browser.findElement(By.cssSelector("form[action$='/logout'] input[name='_csrf']"))
			.getAttribute("value");
		Object withoutToken = ((JavascriptExecutor) this.browser)
			.executeAsyncScript("const done = arguments[0]; fetch('/console/pipelines/churn/runs', {method: 'POST'})"
					+ ".then(r => done(r.status))");
		Object withToken = ((JavascriptExecutor) this.browser).executeAsyncScript(
				"const done = arguments[arguments.length - 1]; fetch('/console/pipelines/churn/runs', {method: 'POST',"
						+ " headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: '_csrf=' + arguments[0]})"
						+ ".then(r => done(r.status))",
				csrf);
		assertThat(withoutToken).isEqualTo(403L);
		assertThat(withToken).isEqualTo(403L);
		assertThat(this.runs.search("churn", null, null, null, null, 0, 1).total()).isEqualTo(before);
	}

	@Test
	void anOperatorLaunchesARunAndWatchesItReachCompletedWithoutAReload() {
		signIn(OPERATOR);
		this.browser.get(url("/console/pipelines/churn"));
		this.browser.findElement(By.id("launch")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.browser.getCurrentUrl().contains("/console/runs/"));
		// a mark on this page: a reload would lose it
		((JavascriptExecutor) this.browser).executeScript("window.notReloaded = true");

		await().atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(250))
			.ignoreExceptions()
			.until(() -> this.browser.findElement(By.cssSelector("#live .status")).getText().equals("COMPLETED"));

		assertThat(((JavascriptExecutor) this.browser).executeScript("return window.notReloaded === true"))
			.isEqualTo(true);
		assertThat(this.browser.findElements(By.cssSelector("#steps tbody tr"))).hasSizeGreaterThanOrEqualTo(5);
		assertThat(text("decision")).isNotBlank();
		// the training curve arrives with the end of the run, drawn by uPlot
		await().atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> !this.browser.findElements(By.cssSelector("#curve canvas")).isEmpty());
		assertCurveReads("kept: epoch");
		// candidate against champion per holdout, and everything recorded behind a fold
		assertThat(this.browser.findElements(By.cssSelector("#metrics tbody tr"))).isNotEmpty();
		assertThat(this.browser.findElement(By.cssSelector("#metrics tbody tr.primary")).getText()).contains("decides");
		assertThat(this.browser.findElement(By.id("details")).getAttribute("textContent")).contains("trainingData");
		// the page stops polling once the run has ended
		assertThat(this.browser.findElement(By.id("live")).getAttribute("hx-get")).isNull();
	}

	@Test
	void anAdminRollsBackAndPromotesThroughTheDialogsAndAStalePageIsToldWhy() throws Exception {
		// v1 (a weak model) is champion; v2 (better) replaces it; v3 ties and is rejected
		assertThat(runToEnd("models", "weak")).isEqualTo(1);
		PipelineFixtures.write(DIRS.configs(), "models", PipelineFixtures.yaml("models", "shared", GOOD_MODEL, ""));
		assertThat(ApiClient.as(this.port, ADMIN).send("POST", "/api/pipelines/reload", null, null).statusCode())
			.isEqualTo(200);
		assertThat(runToEnd("models", "good")).isEqualTo(2);
		assertThat(runToEnd("models", "tie")).isEqualTo(3);
		assertThat(this.registry.champion("models")).contains(2);

		signIn(ADMIN);
		this.browser.get(url("/console/models/models/versions/2"));
		this.browser.findElement(By.id("rollback")).click();
		this.browser.findElement(By.id("rollback-reason")).sendKeys("latency regression");
		this.browser.findElement(By.id("rollback-confirm")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> !this.browser.findElements(By.id("flash-notice")).isEmpty());
		assertThat(text("flash-notice")).contains("version 1 is champion again");
		assertThat(this.registry.champion("models")).contains(1);

		this.browser.get(url("/console/models/models/versions/2"));
		this.browser.findElement(By.id("promote")).click();
		this.browser.findElement(By.id("promote-reason")).sendKeys("fixed");
		this.browser.findElement(By.id("promote-confirm")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> !this.browser.findElements(By.id("flash-notice")).isEmpty());
		assertThat(text("flash-notice")).contains("version 2 is now champion");
		assertThat(this.registry.champion("models")).contains(2);

		// a page loaded while v2 is champion; then someone else forces v3 in
		this.browser.get(url("/console/models/models/versions/1"));
		var forced = ApiClient.as(this.port, ADMIN)
			.send("POST", "/api/models/models/force-promote", "application/json",
					"{\"version\":3,\"expectedChampion\":2,\"reason\":\"meanwhile\"}");
		assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
		this.browser.findElement(By.id("promote")).click();
		this.browser.findElement(By.id("promote-reason")).sendKeys("from a stale page");
		this.browser.findElement(By.id("promote-confirm")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> !this.browser.findElements(By.id("flash-error")).isEmpty());

		assertThat(text("flash-error")).contains("409").contains("after this page was loaded");
		assertThat(text("current-champion")).isEqualTo("v3");
		assertThat(this.registry.champion("models")).contains(3);
		JsonNode history = ApiClient.json(ApiClient.as(this.port, ADMIN).get("/api/audit?pipeline=models"));
		assertThat(history.toString()).contains("latency regression").doesNotContain("from a stale page");

		// two versions side by side fit a narrow window
		this.browser.get(url("/console/models/models/versions/3?compare=1"));
		assertThat(this.browser.findElements(By.cssSelector("#comparison tbody tr"))).isNotEmpty();
		assertFitsWidth(800);
	}

	@Test
	void aDriftedFeatureIsHighlightedAfterAGeneratedShift() throws Exception {
		runToEnd("drifty", "before-shift", SHIFT_START.plusDays(25));
		// a check before the shift, so that each feature has a history of two
		var calm = ApiClient.as(this.port, OPERATOR)
			.send("POST", "/api/pipelines/drifty/drift-checks", "application/json",
					"{\"asOf\":\"" + SHIFT_START.plusDays(25) + "\"}");
		assertThat(calm.statusCode()).as(calm.body()).isEqualTo(200);
		var check = ApiClient.as(this.port, OPERATOR)
			.send("POST", "/api/pipelines/drifty/drift-checks", "application/json",
					"{\"asOf\":\"" + SHIFT_START.plusDays(39) + "\"}");
		assertThat(check.statusCode()).as(check.body()).isEqualTo(200);
		assertThat(check.body()).contains("\"status\":\"DRIFT\"");

		signIn(VIEWER);
		assertThat(this.browser.findElement(By.cssSelector("#pipelines tr[data-pipeline='drifty'] .status-DRIFT"))
			.getText()).isEqualTo("DRIFT");
		this.browser.get(url("/console/drift/drifty"));
		var drifted = this.browser.findElements(By.cssSelector("#features tr.drifted"));
		assertThat(drifted).isNotEmpty();
		assertThat(drifted).allSatisfy(row -> assertThat(row.getText()).contains("drifted"));
		assertThat(this.browser.findElements(By.cssSelector("#features tbody tr"))).hasSizeGreaterThan(drifted.size());
		// every feature: reference against current as bars, and its statistic over the
		// two
		// checks against the threshold line; a drifted feature's current bars are red
		for (WebElement row : this.browser.findElements(By.cssSelector("#features tbody tr"))) {
			assertThat(row.findElements(By.cssSelector("svg.hist rect.ref"))).isNotEmpty();
			assertThat(row.findElements(By.cssSelector("svg.trend polyline"))).hasSize(1);
		}
		assertThat(drifted)
			.allSatisfy(row -> assertThat(row.findElements(By.cssSelector("svg.hist rect.cur.bad"))).isNotEmpty());
		// the drifted feature's latest statistic is above its threshold line: the last
		// point of its trend is higher on the screen than the line
		Object aboveLine = ((JavascriptExecutor) this.browser)
			.executeScript("const svg = arguments[0].querySelector('svg.trend');"
					+ "const pts = svg.querySelector('polyline').getAttribute('points').trim().split(' ');"
					+ "return parseFloat(pts[pts.length - 1].split(',')[1]) < parseFloat(svg.querySelector('line').getAttribute('y1'));",
					drifted.get(0));
		assertThat(aboveLine).isEqualTo(true);
		assertThat(this.browser.findElements(By.cssSelector("#prediction svg.hist rect"))).isNotEmpty();
		// the check's drift event, and what it led to
		assertThat(this.browser.findElement(By.cssSelector("#events tbody tr")).getText()).contains("drift-check");
		// a cell of class sub stays a cell, in line with the others in its row
		assertThat(this.browser.findElements(By.cssSelector("td.sub"))).isNotEmpty()
			.allSatisfy(td -> assertThat(td.getCssValue("display")).isEqualTo("table-cell"));
		shot("drift");
		assertFitsWidth(800);
	}

	@Test
	void theDefaultPolicyFileStartsABacktestAsItIsAndTheBacktestIsListedOnThePageAndInTheApi() throws Exception {
		signIn(OPERATOR);
		this.browser.get(url("/console/backtests"));
		String policies = this.browser.findElement(By.id("backtest-policies")).getAttribute("value");
		assertThat(policies).as("real line breaks, not \\n").contains("\nwarmup-days: 30\n").doesNotContain("\\n");
		new org.openqa.selenium.support.ui.Select(this.browser.findElement(By.id("backtest-pipeline")))
			.selectByValue("drifty");
		this.browser.findElement(By.id("backtest-start")).click();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.browser.getCurrentUrl().matches(".*/console/backtests/\\d+$"));
		assertThat(this.browser.findElements(By.id("flash-error"))).isEmpty();
		String id = this.browser.getCurrentUrl().replaceAll(".*/console/backtests/(\\d+)$", "$1");

		// found again from the backtests' page, and over the API
		this.browser.get(url("/console/backtests"));
		WebElement row = this.browser.findElement(By.cssSelector("#backtests tr[data-backtest='" + id + "']"));
		assertThat(row.getText()).contains("drifty");
		row.findElement(By.linkText(id)).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.browser.getCurrentUrl().endsWith("/backtests/" + id));
		JsonNode list = ApiClient.json(ApiClient.as(this.port, VIEWER).get("/api/backtests?pipeline=drifty"));
		JsonNode mine = null;
		for (JsonNode b : list) {
			if (b.get("id").asString().equals(id)) {
				mine = b;
			}
		}
		assertThat(mine).as(list.toString()).isNotNull();
		assertThat(mine.get("pipeline").asString()).isEqualTo("drifty");
		assertThat(mine.get("href").asString()).isEqualTo("/api/backtests/" + id);
		assertThat(mine.get("startedAt").asString()).isNotBlank();
		await().atMost(Duration.ofMinutes(4))
			.until(() -> ApiClient.json(ApiClient.as(this.port, VIEWER).get("/api/backtests/" + id))
				.get("status")
				.asString()
				.equals("COMPLETED"));
	}

	@Test
	void aBacktestStartsFromAPolicyFileAfterItsErrorsAreShownByFieldAndItsReportChartRenders() {
		signIn(OPERATOR);
		this.browser.get(url("/console/backtests"));
		new org.openqa.selenium.support.ui.Select(this.browser.findElement(By.id("backtest-pipeline")))
			.selectByValue("drifty");
		WebElement policies = this.browser.findElement(By.id("backtest-policies"));
		policies.clear();
		policies.sendKeys("period-days: 5\nwarmup-days: 20\npolicies:\n  - {name: a, type: sometimes}\n");
		this.browser.findElement(By.id("backtest-start")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> !this.browser.findElements(By.id("flash-error")).isEmpty());
		assertThat(text("flash-error")).contains("field 'policies[0].type'").contains("sometimes");
		assertThat(this.browser.findElement(By.id("backtest-policies")).getAttribute("value"))
			.as("the text as typed is kept")
			.contains("type: sometimes");

		policies = this.browser.findElement(By.id("backtest-policies"));
		policies.clear();
		policies.sendKeys("period-days: 5\nwarmup-days: 20\npolicies:\n  - {name: never, type: never}\n"
				+ "  - {name: weekly, type: schedule, cron: \"0 0 2 ? * MON\"}\n");
		this.browser.findElement(By.id("backtest-start")).click();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.browser.getCurrentUrl().matches(".*/console/backtests/\\d+$"));
		String page = this.browser.getCurrentUrl();
		await().atMost(Duration.ofMinutes(4))
			.pollInterval(Duration.ofMillis(500))
			.ignoreExceptions()
			.until(() -> !this.browser.findElements(By.id("report")).isEmpty());
		assertFitsWidth(800);

		this.browser.switchTo().frame(this.browser.findElement(By.id("report")));
		await().atMost(Duration.ofSeconds(20))
			.ignoreExceptions()
			.until(() -> this.browser.findElements(By.cssSelector("#chart path.raw")).size() == 2);
		// four periods: each its own point, no "rolling mean of 1 periods"
		assertThat(this.browser.findElement(By.tagName("body")).getText()).doesNotContain("rolling mean of 1 ");
		// the retrains panel draws: each path a step line through every period
		List<WebElement> retrains = this.browser.findElements(By.cssSelector("#chart path.retrains"));
		assertThat(retrains).hasSize(2);
		for (WebElement path : retrains) {
			String d = path.getAttribute("d");
			assertThat(d).matches("M[0-9.]+,[0-9.]+(H[0-9.]+V[0-9.]+)+");
			assertThat(d.split("H")).as(d).hasSizeGreaterThanOrEqualTo(4);
			Object length = ((JavascriptExecutor) this.browser).executeScript("return arguments[0].getTotalLength()",
					path);
			assertThat(((Number) length).doubleValue()).as("the browser drew " + d).isGreaterThan(0);
		}
		// dates on x, values on y, and a legend naming both policies
		List<String> dates = this.browser.findElements(By.cssSelector("#chart .x-ticks text"))
			.stream()
			.map(WebElement::getText)
			.toList();
		assertThat(dates).isNotEmpty().allSatisfy(t -> assertThat(t).matches("\\d{4}-\\d{2}-\\d{2}"));
		assertThat(this.browser.findElements(By.cssSelector("#chart .y-ticks text"))).hasSizeGreaterThanOrEqualTo(3)
			.allSatisfy(t -> assertThat(t.getText()).matches("\\d+(\\.\\d+)?"));
		assertThat(this.browser.findElement(By.cssSelector("#chart .legend")).getText()).contains("never")
			.contains("weekly");
		// zoomed into the first periods, the date ticks follow the range; a double-click
		// zooms out
		((JavascriptExecutor) this.browser).executeScript(
				"""
						const svg = document.getElementById('chart'), b = document.getElementById('plot').getBoundingClientRect();
						const at = (type, f) => svg.dispatchEvent(new MouseEvent(type, {bubbles: true,
						    clientX: b.left + f * b.width, clientY: b.top + b.height / 2}));
						at('mousedown', 0.25); at('mouseup', 0.6);""");
		List<String> zoomed = this.browser.findElements(By.cssSelector("#chart .x-ticks text"))
			.stream()
			.map(WebElement::getText)
			.toList();
		assertThat(zoomed).isNotEmpty()
			.isNotEqualTo(dates)
			.allSatisfy(t -> assertThat(t).isGreaterThanOrEqualTo(dates.get(0))
				.isLessThanOrEqualTo(dates.get(dates.size() - 1)));
		((JavascriptExecutor) this.browser).executeScript(
				"document.getElementById('chart').dispatchEvent(new MouseEvent('dblclick', {bubbles: true}))");
		assertThat(this.browser.findElements(By.cssSelector("#chart .x-ticks text"))).extracting(WebElement::getText)
			.isEqualTo(dates);
		this.browser.switchTo().defaultContent();

		// the report on its own fits a narrow window too
		this.browser.get(page + "/report");
		assertThat(this.browser.findElements(By.cssSelector("#chart path.retrains"))).hasSize(2);
		assertFitsWidth(800);
	}

	@Test
	void theTrainingCurveIsDrawnWhileTheRunTrains() throws Exception {
		// pipeline slow: a run that trains long enough to be watched, then stopped
		signIn(OPERATOR);
		this.browser.get(url("/console/pipelines/slow"));
		this.browser.findElement(By.id("launch")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.browser.getCurrentUrl().contains("/console/runs/"));
		long runId = Long.parseLong(this.browser.getCurrentUrl().replaceAll(".*/console/runs/(\\d+).*", "$1"));

		try {
			// drawn from the epochs recorded so far, while the run is still training
			await().atMost(Duration.ofMinutes(3))
				.pollInterval(Duration.ofMillis(250))
				.ignoreExceptions()
				.until(() -> "true".equals(this.browser.findElement(By.id("curve")).getAttribute("data-live"))
						&& points(this.browser.findElement(By.id("curve")).getAttribute("data-curve")) >= 3
						&& !this.browser.findElements(By.cssSelector("#curve canvas")).isEmpty());
			assertThat(this.browser.findElement(By.cssSelector("#live h2")).getText()).contains("so far");
			assertThat(this.runs.find(runId).orElseThrow().endedAt()).isNull();
			assertCurveReads("best so far: epoch");
		}
		finally {
			// stopped at its next epoch: it would keep the node's run thread for minutes
			var stop = ApiClient.as(this.port, OPERATOR).send("POST", "/api/runs/" + runId + "/stop", null, null);
			assertThat(stop.statusCode()).as(stop.body()).isIn(200, 202);
			await().atMost(Duration.ofMinutes(2))
				.until(() -> this.runs.find(runId).map(r -> r.endedAt() != null).orElse(false));
		}
	}

	private static int points(String json) {
		return Json.MAPPER.readTree(json).size();
	}

	/**
	 * The training curve's legend names its lines and the kept (or best so far) epoch,
	 * and its epoch axis has whole epochs only.
	 */
	private void assertCurveReads(String kept) {
		String legend = text("curve-legend");
		assertThat(legend).contains("train loss").contains(kept).doesNotContain("Value");
		String epoch = text("kept-epoch");
		assertThat(epoch).matches("\\d+");
		await().atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> this.browser.findElement(By.id("curve")).getAttribute("data-x-ticks") != null);
		String ticks = this.browser.findElement(By.id("curve")).getAttribute("data-x-ticks");
		assertThat(ticks.split(",")).isNotEmpty().allSatisfy(t -> assertThat(t).matches("\\d+"));
		assertThat(this.browser.findElements(By.cssSelector(".u-legend"))).as("no uPlot legend (Value: --)").isEmpty();
	}

	/**
	 * At {@code width} pixels the page needs no horizontal scrolling: wide tables scroll
	 * in their own box.
	 */
	private void assertFitsWidth(int width) {
		Dimension before = this.browser.manage().window().getSize();
		this.browser.manage().window().setSize(new Dimension(width, 1000));
		try {
			Object sizes = ((JavascriptExecutor) this.browser)
				.executeScript("return [document.documentElement.scrollWidth, window.innerWidth]");
			List<?> wh = (List<?>) sizes;
			assertThat(((Number) wh.get(0)).longValue())
				.as("page width at " + width + " px: " + this.browser.getCurrentUrl())
				.isLessThanOrEqualTo(((Number) wh.get(1)).longValue());
		}
		finally {
			this.browser.manage().window().setSize(before);
		}
	}

	/**
	 * Sets a form field's value as a person would pick it (a date input's text is per
	 * locale).
	 */
	private void setValue(String id, String value) {
		((JavascriptExecutor) this.browser).executeScript("arguments[0].value = arguments[1]",
				this.browser.findElement(By.id(id)), value);
	}

	@Test
	void aRejectedVersionIsForcedByAnAdminWithAReasonAndItsPageOffersTheModelAndComparesWithCues() throws Exception {
		assertThat(runToEnd("forcing", "first")).isEqualTo(1);
		// the same data and settings again: the candidate ties and its policy rejects it
		assertThat(runToEnd("forcing", "tie")).isEqualTo(2);
		assertThat(this.registry.version("forcing", 2).orElseThrow().passedPolicy()).isFalse();

		// an operator sees why there is no promote button, and a forged forced promotion
		// from its session is refused
		signIn(OPERATOR);
		this.browser.get(url("/console/models/forcing/versions/2"));
		assertThat(this.browser.findElements(By.id("promote"))).isEmpty();
		assertThat(text("promote-not-allowed")).contains("Only an admin").contains("forced promotion");
		this.expectedErrors.add("/console/models/forcing/promote - Failed to load resource: the server responded "
				+ "with a status of 403");
		String csrf = this.browser.findElement(By.cssSelector("form[action$='/logout'] input[name='_csrf']"))
			.getAttribute("value");
		Object forged = ((JavascriptExecutor) this.browser).executeAsyncScript(
				"const done = arguments[arguments.length - 1]; fetch('/console/models/forcing/promote', {method: 'POST',"
						+ " headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: '_csrf=' + arguments[0]"
						+ " + '&version=2&expectedChampion=1&force=true&reason=mine', redirect: 'manual'})"
						+ ".then(r => done(r.status))",
				csrf);
		assertThat(forged).isEqualTo(403L);
		assertThat(this.registry.champion("forcing")).contains(1);

		this.browser.manage().deleteAllCookies();
		signIn(ADMIN);
		this.browser.get(url("/console/models/forcing/versions/2"));
		this.browser.findElement(By.id("promote")).click();
		assertThat(text("promote-needs-force")).contains("failed its promotion policy").contains("forced promotion");
		assertThat(text("promote-confirm")).isEqualTo("Force promote");
		this.browser.findElement(By.id("promote-reason")).sendKeys("the tie is fine: newer data");
		// without ticking "force" the browser does not send the form
		this.browser.findElement(By.id("promote-confirm")).click();
		assertThat(this.browser.findElements(By.id("flash-notice"))).isEmpty();
		this.browser.findElement(By.id("promote-force")).click();
		this.browser.findElement(By.id("promote-confirm")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> !this.browser.findElements(By.id("flash-notice")).isEmpty());
		assertThat(text("flash-notice")).contains("version 2 is now champion").contains("forced");
		assertThat(this.registry.champion("forcing")).contains(2);
		assertThat(this.registry.version("forcing", 2).orElseThrow().forced()).isTrue();
		assertThat(this.browser.findElement(By.cssSelector("table.facts")).getText()).contains("forced");
		assertThat(ApiClient.as(this.port, ADMIN).get("/api/audit?pipeline=forcing").body())
			.contains("the tie is fine: newer data");

		// the model: a download, and how to load it
		WebElement download = this.browser.findElement(By.id("download"));
		assertThat(download.getAttribute("href")).endsWith("/console/models/forcing/versions/2/artifact");
		Object zip = ((JavascriptExecutor) this.browser)
			.executeAsyncScript("const done = arguments[arguments.length - 1]; fetch(arguments[0])"
					+ ".then(r => r.arrayBuffer().then(b => done(r.status + ' ' + r.headers.get('content-type') + ' '"
					+ " + new Uint8Array(b)[0] + new Uint8Array(b)[1])))", download.getAttribute("href"));
		assertThat(zip).as("a zip: PK").isEqualTo("200 application/zip 8075");
		assertThat(text("snippet-java"))
			.contains("Champion.builder(\"http://localhost:" + this.port + "\", \"forcing\")");
		assertThat(text("snippet-curl")).contains("X-API-Key")
			.contains("http://localhost:" + this.port + "/api/models/forcing/versions/2/artifact");

		// numbers to four significant digits, counts as integers, differences with cues
		assertThat(this.browser.findElement(By.id("metrics")).getText()).doesNotContainPattern("\\d\\.\\d{5,}")
			.doesNotContain(".0000");
		this.browser.get(url("/console/models/forcing/versions/2?compare=1"));
		WebElement compared = this.browser.findElement(By.id("comparison-metrics"));
		assertThat(compared.findElements(By.cssSelector("tbody tr"))).isNotEmpty();
		assertThat(compared.getText()).contains("lower is better").doesNotContainPattern("\\d\\.\\d{5,}");
		assertThat(this.browser.findElements(By.cssSelector("#comparison-differences, #no-differences"))).isNotEmpty();
		assertThat(this.browser.findElement(By.id("comparison")).getText())
			.doesNotContainPattern("\\d{4}-\\d\\d-\\d\\dT");

		// the run's table: a log_loss that fell is better, a roc_auc that fell worse
		long run = this.registry.version("forcing", 2).orElseThrow().runId();
		this.browser.get(url("/console/runs/" + run));
		// the validation report as a table, not JSON
		assertThat(this.browser.findElements(By.cssSelector("#validation tbody tr"))).extracting(WebElement::getText)
			.anySatisfy(row -> assertThat(row).startsWith("tenure_days numeric"));
		assertThat(this.browser.findElement(By.cssSelector("#validation")).getText()).doesNotContain("{");
		List<WebElement> rows = this.browser.findElements(By.cssSelector("#metrics tbody tr"));
		assertThat(rows).isNotEmpty();
		for (WebElement row : rows) {
			List<WebElement> cells = row.findElements(By.tagName("td"));
			String metric = cells.get(1).getText();
			String delta = cells.get(4).findElement(By.tagName("span")).getText();
			String verdict = cells.get(4).getAttribute("data-verdict");
			assertThat(cells.get(2).getText()).as("four significant digits").doesNotContainPattern("\\d\\.\\d{5,}");
			if (metric.startsWith("rows")) {
				assertThat(cells.get(2).getText()).matches("\\d+");
				assertThat(verdict).as("a count has no better or worse").isNullOrEmpty();
			}
			else if (!delta.isEmpty() && Double.parseDouble(delta) != 0) {
				boolean lowerIsBetter = metric.contains("lower is better");
				assertThat(verdict).as(metric + " " + delta)
					.isEqualTo((Double.parseDouble(delta) < 0) == lowerIsBetter ? "better" : "worse");
			}
		}
	}

	@Test
	void anOperatorChecksDriftAndLaunchesAsOfADateAndAFailedRunSaysWhatToChange() throws Exception {
		LocalDate noData = LocalDate.parse("2023-01-15");
		signIn(OPERATOR);
		// the overview offers a check where a pipeline has none yet
		this.browser.findElement(By.cssSelector("#pipelines tr[data-pipeline='checked'] a.check-drift")).click();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> this.browser.getCurrentUrl().endsWith("/console/drift/checked"));
		assertThat(text("no-check")).contains("No drift check yet");
		// a check before any champion, then one as of a day without data
		runToEnd("checked", "champion");
		this.browser.get(url("/console/drift/checked"));
		setValue("check-as-of", noData.toString());
		this.browser.findElement(By.id("check-drift")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> !this.browser.findElements(By.id("flash-error")).isEmpty());
		assertThat(text("flash-error")).contains("NO_DATA");
		assertThat(text("not-measured")).contains("No data in the window");
		assertThat(text("drift-summary")).contains("no data in the window")
			.contains("no Parquet files")
			.doesNotContain(DIRS.data().toAbsolutePath().toString());
		assertThat(this.browser.findElement(By.tagName("main")).getText()).doesNotContain("labelled rows");
		assertThat(this.browser.findElements(By.id("features"))).isEmpty();
		// as of the newest day: measured, and the summary in words
		this.browser.findElement(By.id("check-drift")).click();
		await().atMost(Duration.ofSeconds(30)).until(() -> !this.browser.findElements(By.id("flash-notice")).isEmpty());
		assertThat(text("drift-summary")).containsPattern("no feature drifted|features? drifted \\(")
			.doesNotContain("[");
		assertThat(this.browser.findElements(By.cssSelector("#features tbody tr"))).isNotEmpty();
		String measured = this.browser.findElement(By.id("drift-status")).getText();
		// a later check without data (a stray request) does not hide the measured one on
		// the overview
		setValue("check-as-of", noData.toString());
		this.browser.findElement(By.id("check-drift")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> !this.browser.findElements(By.id("flash-error")).isEmpty());
		this.browser.get(url("/console"));
		assertThat(this.browser
			.findElement(By.cssSelector("#pipelines tr[data-pipeline='checked'] a[href$='/console/drift/checked']"))
			.getText()).isEqualTo(measured);

		// a launch as of a day without data, retraining: the run fails, says why and what
		// to change, and offers no restart
		this.browser.get(url("/console/pipelines/checked"));
		setValue("launch-as-of", noData.toString());
		new org.openqa.selenium.support.ui.Select(this.browser.findElement(By.id("launch-mode")))
			.selectByValue("retrain");
		this.browser.findElement(By.id("launch")).click();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.browser.getCurrentUrl().contains("/console/runs/"));
		await().atMost(Duration.ofMinutes(1))
			.pollInterval(Duration.ofMillis(250))
			.ignoreExceptions()
			.until(() -> this.browser.findElement(By.cssSelector("#live .status")).getText().equals("FAILED"));
		this.browser.navigate().refresh();
		assertThat(this.browser.findElement(By.tagName("h1")).getText()).isNotEmpty();
		assertThat(this.browser.findElement(By.cssSelector("p.sub")).getText()).contains(noData.toString());
		assertThat(text("failure")).contains("no Parquet files").doesNotContain("dev.retrain").doesNotContain("/tmp");
		assertThat(text("advice")).contains("A restart will not help").contains("as-of date");
		assertThat(this.browser.findElements(By.id("restart"))).isEmpty();
		assertThat(this.browser.findElement(By.id("launch-new")).getAttribute("href"))
			.endsWith("/console/pipelines/checked");
		for (WebElement step : this.browser.findElements(By.cssSelector("#steps tbody tr"))) {
			assertThat(step.getText()).doesNotContain("dev.retrain.")
				.doesNotContain("Exception")
				.doesNotContain(DIRS.data().toAbsolutePath().toString());
		}
		JsonNode run = ApiClient.json(ApiClient.as(this.port, VIEWER)
			.get(this.browser.getCurrentUrl().replaceAll(".*/console/runs/", "/api/runs/")));
		assertThat(run.get("asOf").asString()).isEqualTo(noData.toString());
	}

	@Test
	void swaggerUisTryItOutStartsALaunchWithAnEmptyBodyAndOffersTheDocumentedExampleByName() {
		this.browser.get(url("/swagger-ui.html"));
		await().atMost(Duration.ofSeconds(30))
			.ignoreExceptions()
			.until(() -> !this.browser.findElements(By.cssSelector("[id^='operations-runs-launch']")).isEmpty());
		WebElement launch = this.browser.findElement(By.cssSelector("[id^='operations-runs-launch']"));
		launch.findElement(By.cssSelector(".opblock-summary")).click();
		await().atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> launch.findElement(By.cssSelector(".try-out__btn")).isDisplayed());
		launch.findElement(By.cssSelector(".try-out__btn")).click();
		await().atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> launch.findElement(By.cssSelector("textarea.body-param__text")).isDisplayed());
		String body = launch.findElement(By.cssSelector("textarea.body-param__text")).getAttribute("value");
		assertThat(body.replaceAll("\\s", "")).as("the body Try it out would send").isEqualTo("{}");
		assertThat(launch.getText()).contains("Documented example");
	}

}

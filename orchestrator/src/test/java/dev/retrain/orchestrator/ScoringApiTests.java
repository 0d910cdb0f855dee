package dev.retrain.orchestrator;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.jobs.scoring.RealisedPerformance;
import dev.retrain.jobs.scoring.RealisedVersions;
import dev.retrain.models.json.Json;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batch scoring over REST and by schedule: an operator launches a scoring of a date, 202
 * with where to poll; it completes with its predictions partition; a second launch of the
 * same date, version and key is refused (409), an unknown scoring is 404; the pipeline's
 * scoring schedule, fired, scores the newest day.
 */
class ScoringApiTests extends OrchestratorTestSupport {

	@BeforeAll
	static void pipelines(ApplicationContext context) {
		sampleData("scored", 150, 71);
		definePipeline(context, "scored", PipelineFixtures.yaml("scored", "scored", GOOD_MODEL, """
				scoring:
				  schedule:
				    cron: "0 0 3 * * ?"
				"""));
	}

	@Autowired
	RunLauncher runs;

	@Autowired
	RunRecords records;

	@Autowired
	RealisedPerformance realisedPerformance;

	@Autowired
	RealisedVersions realisedVersions;

	/** A console page as a signed-in viewer sees it. */
	private String consolePage(String path) throws Exception {
		HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
		String base = "http://127.0.0.1:" + this.port;
		String login = browser
			.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(), HttpResponse.BodyHandlers.ofString())
			.body();
		Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login);
		assertThat(csrf.find()).isTrue();
		browser.send(HttpRequest.newBuilder(URI.create(base + "/login"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("username=" + ApiClient.VIEWER + "&password=" + ApiClient.VIEWER
					+ "-pw&_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)))
			.build(), HttpResponse.BodyHandlers.ofString());
		HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
		return page.body();
	}

	private JsonNode awaitScoring(long id) throws Exception {
		ApiClient viewer = ApiClient.as(this.port, ApiClient.VIEWER);
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
			String status = Json.MAPPER.readTree(viewer.send("GET", "/api/scorings/" + id, null, null).body())
				.get("status")
				.asString();
			return !status.equals("STARTED") && !status.equals("STARTING");
		});
		return Json.MAPPER.readTree(viewer.send("GET", "/api/scorings/" + id, null, null).body());
	}

	@Test
	void anOperatorScoresADateAndTheScheduleScoresTheNewestDay() throws Exception {
		long run = this.runs.launch(new RunLauncher.Request("scored", LAST, "champion", null, Trigger.MANUAL, "test"))
			.runId();
		await().atMost(Duration.ofMinutes(2)).until(() -> this.records.find(run).orElseThrow().endedAt() != null);
		ApiClient operator = ApiClient.as(this.port, ApiClient.OPERATOR);

		HttpResponse<String> launched = operator.send("POST", "/api/pipelines/scored/scorings", "application/json",
				"{\"date\": \"" + LAST.minusDays(1) + "\"}");

		assertThat(launched.statusCode()).as(launched.body()).isEqualTo(202);
		long id = Json.MAPPER.readTree(launched.body()).get("id").asLong();
		assertThat(launched.headers().firstValue("Location")).contains("/api/scorings/" + id);
		JsonNode done = awaitScoring(id);
		assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("COMPLETED");
		assertThat(done.get("version").asInt()).isEqualTo(1);
		assertThat(done.get("rows").asLong()).isPositive();
		assertThat(Path.of(done.get("output").asString())).exists()
			.isEqualTo(DATA_DIR.resolve("predictions/scored/dt=" + LAST.minusDays(1) + "/predictions.parquet"));

		HttpResponse<String> again = operator.send("POST", "/api/pipelines/scored/scorings", "application/json",
				"{\"date\": \"" + LAST.minusDays(1) + "\"}");
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(again.body()).contains("already scored");
		assertThat(
				ApiClient.as(this.port, ApiClient.VIEWER).send("GET", "/api/scorings/999999", null, null).statusCode())
			.isEqualTo(404);
		HttpResponse<String> bad = operator.send("POST", "/api/pipelines/scored/scorings", "application/json",
				"{\"date\": \"2024-02-30\"}");
		assertThat(bad.statusCode()).isEqualTo(400);

		// a pipeline without labels has nothing to join, and no realised performance yet
		HttpResponse<String> join = operator.send("POST", "/api/pipelines/scored/label-joins", "application/json",
				"{\"date\": \"" + LAST.minusDays(1) + "\"}");
		assertThat(join.statusCode()).isEqualTo(409);
		assertThat(join.body()).contains("no labels section");
		HttpResponse<String> realised = ApiClient.as(this.port, ApiClient.VIEWER)
			.send("GET", "/api/pipelines/scored/realised?from=" + LAST.minusDays(5) + "&to=" + LAST, null, null);
		assertThat(realised.statusCode()).isEqualTo(200);
		assertThat(realised.body().strip()).isEqualTo("[]");

		// a day whose metric is not a number (labels of one class): not measured, never a
		// 500
		Map<String, Double> metrics = new LinkedHashMap<>();
		metrics.put("roc_auc", Double.NaN);
		metrics.put("accuracy", 0.5);
		this.realisedPerformance.replace("scored", LAST.minusDays(3),
				List.of(new RealisedPerformance.Day(LAST.minusDays(3), 1, "roc_auc", Double.NaN, 100, 100, metrics)));
		HttpResponse<String> withNaN = ApiClient.as(this.port, ApiClient.VIEWER)
			.send("GET", "/api/pipelines/scored/realised?from=" + LAST.minusDays(5) + "&to=" + LAST, null, null);
		assertThat(withNaN.statusCode()).as(withNaN.body()).isEqualTo(200);
		JsonNode day = Json.MAPPER.readTree(withNaN.body()).get(0);
		assertThat(day.get("value").isNull()).isTrue();
		assertThat(day.get("metrics").get("roc_auc").isNull()).isTrue();
		assertThat(day.get("metrics").get("accuracy").asDouble()).isEqualTo(0.5);

		// every scored version's realised metric: served and shadow, the shadow's verdict
		this.realisedVersions.replace("scored", LAST.minusDays(4),
				List.of(new RealisedVersions.Row(LAST.minusDays(4), 1, RealisedVersions.ScoredAs.SERVED, "roc_auc",
						0.61, 0.4, 200, 100, Map.of("roc_auc", 0.61, "accuracy", 0.6), null, null, null, null),
						new RealisedVersions.Row(LAST.minusDays(4), 2, RealisedVersions.ScoredAs.SHADOW, "roc_auc",
								Double.NaN, 0.3, 200, 100, metrics, 1, null, false, "roc_auc not measured")));
		HttpResponse<String> versions = ApiClient.as(this.port, ApiClient.VIEWER)
			.send("GET", "/api/pipelines/scored/realised/versions?from=" + LAST.minusDays(5) + "&to=" + LAST, null,
					null);
		assertThat(versions.statusCode()).as(versions.body()).isEqualTo(200);
		JsonNode rows = Json.MAPPER.readTree(versions.body());
		assertThat(rows).hasSize(2);
		assertThat(rows.get(0).get("scoredAs").asString()).isEqualTo("SERVED");
		assertThat(rows.get(0).get("value").asDouble()).isEqualTo(0.61);
		assertThat(rows.get(1).get("scoredAs").asString()).isEqualTo("SHADOW");
		assertThat(rows.get(1).get("version").asInt()).isEqualTo(2);
		assertThat(rows.get(1).get("value").isNull()).isTrue();
		assertThat(rows.get(1).get("againstVersion").asInt()).isEqualTo(1);
		assertThat(rows.get(1).get("won").asBoolean()).isFalse();
		assertThat(rows.get(1).get("verdict").asString()).isEqualTo("roc_auc not measured");
		// and the console's pipeline page shows the champion against the shadow
		String page = consolePage("/console/pipelines/scored");
		assertThat(page).contains("id=\"shadows\"")
			.contains("v2 (shadow)")
			.contains(LAST.minusDays(4).toString())
			.contains("v1 0.6100")
			.contains("title=\"roc_auc not measured\"");

		// identical launches at once: one is taken, the others answer 409 in our words
		String body = "{\"date\": \"" + LAST.minusDays(2) + "\", \"runKey\": \"race\"}";
		List<HttpResponse<String>> answers = new ArrayList<>();
		ExecutorService pool = Executors.newFixedThreadPool(6);
		try {
			List<Future<HttpResponse<String>>> sent = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				sent.add(pool
					.submit(() -> operator.send("POST", "/api/pipelines/scored/scorings", "application/json", body)));
			}
			for (Future<HttpResponse<String>> f : sent) {
				answers.add(f.get());
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(202, 409).containsOnlyOnce(202);
		assertThat(answers).filteredOn(r -> r.statusCode() == 409)
			.allSatisfy(r -> assertThat(r.body()).contains("scor")
				.doesNotContain("JobExecution", "job instance", "Exception", "parameters="));
		long raced = Json.MAPPER
			.readTree(answers.stream().filter(r -> r.statusCode() == 202).findFirst().orElseThrow().body())
			.get("id")
			.asLong();
		assertThat(awaitScoring(raced).get("status").asString()).isEqualTo("COMPLETED");

		// the schedule, fired now, scores the newest day with the champion
		HttpResponse<String> fired = ApiClient.as(this.port, ApiClient.ADMIN)
			.send("POST", "/api/schedules/scoring/scored/trigger", "application/json", "{}");
		assertThat(fired.statusCode()).as(fired.body()).isBetween(200, 202);
		await().atMost(Duration.ofMinutes(2))
			.until(() -> Files.exists(DATA_DIR.resolve("predictions/scored/dt=" + LAST + "/predictions.parquet")));
		JsonNode list = Json.MAPPER.readTree(ApiClient.as(this.port, ApiClient.VIEWER)
			.send("GET", "/api/pipelines/scored/scorings", null, null)
			.body());
		assertThat(list.valueStream().map(s -> s.get("runKey").asString()).toList()).contains("scheduled", "default");
	}

}

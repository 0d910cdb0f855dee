package dev.retrain.orchestrator;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.registry.CommitteeRegistry;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.RegistryOperations;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.dataset.Column;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.serving.Champion;
import dev.retrain.models.serving.Scored;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * A pipeline with {@code promotion.committee} serves its committee as its champion: the
 * champion alias's download holds every member's files and the weights, the
 * {@code Champion} client scores with the weighted vote of the members' own predictions
 * (checked against the vote computed here from each member loaded on its own), the ETag
 * changes when labels move the weights and when a rollback takes a member out, and the
 * committee's REST answers and console page show members, weights and changes.
 */
class CommitteeServingTests extends OrchestratorTestSupport {

	static final String PIPELINE = "voted-served";

	@BeforeAll
	static void pipelines(ApplicationContext context) {
		sampleData(PIPELINE, 150, 37);
		definePipeline(context, PIPELINE, PipelineFixtures.yaml(PIPELINE, PIPELINE, GOOD_MODEL, "")
			.replace("  guards:\n", "  committee: {size: 3, weighting: hedge, eta: 3}\n  guards:\n"));
	}

	@Autowired
	RunLauncher launcher;

	@Autowired
	RunRecords runs;

	@Autowired
	ModelStore store;

	@Autowired
	ModelRegistry registry;

	@Autowired
	RegistryOperations operations;

	@Autowired
	CommitteeRegistry committees;

	private final HttpClient http = HttpClient.newHttpClient();

	private void runToEnd(java.time.LocalDate asOf, String key) {
		long id = this.launcher.launch(new RunLauncher.Request(PIPELINE, asOf, key, null, Trigger.MANUAL, "test"))
			.runId();
		await().atMost(Duration.ofMinutes(2))
			.until(() -> this.runs.find(id).map(r -> r.endedAt() != null).orElse(false));
		assertThat(this.runs.find(id).orElseThrow().status()).isEqualTo("COMPLETED");
	}

	private HttpResponse<byte[]> download(String path, String ifNoneMatch) throws Exception {
		HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("Authorization", "Basic " + Base64.getEncoder()
				.encodeToString((ApiClient.VIEWER + ":" + ApiClient.VIEWER + "-pw").getBytes(StandardCharsets.UTF_8)));
		if (ifNoneMatch != null) {
			b.header("If-None-Match", ifNoneMatch);
		}
		return this.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	private static List<Map<String, Object>> rows() {
		List<Map<String, Object>> rows = new ArrayList<>();
		String[] plans = { "basic", "pro", "basic", "team", "pro", "basic" };
		String[] regions = { "north", "south", "east", "west", "north", "south" };
		for (int i = 0; i < plans.length; i++) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("tenure_days", 30.0 + 170 * i);
			row.put("monthly_spend", 5.0 + 11 * i);
			row.put("sessions", (double) (i * 3 % 7));
			row.put("support_calls", (double) (5 - i % 5));
			row.put("plan", plans[i]);
			row.put("region", regions[i]);
			rows.add(row);
		}
		return rows;
	}

	private static Table table(List<Map<String, Object>> rows) {
		Map<String, Column> columns = new LinkedHashMap<>();
		for (String name : rows.get(0).keySet()) {
			if (rows.get(0).get(name) instanceof Double) {
				columns.put(name, new NumericColumn(name,
						rows.stream().mapToDouble(r -> (Double) r.get(name)).toArray(), new boolean[rows.size()]));
			}
			else {
				columns.put(name,
						new StringColumn(name, rows.stream().map(r -> (String) r.get(name)).toArray(String[]::new)));
			}
		}
		return new Table(columns, rows.size(), null, List.of());
	}

	/**
	 * The weighted vote computed here: each member loaded alone, scores weighted by hand.
	 */
	private double[] handVote(Map<Integer, Double> weights, List<Map<String, Object>> rows) {
		double[] vote = new double[rows.size()];
		for (Map.Entry<Integer, Double> w : weights.entrySet()) {
			try (ModelArtifact member = this.store.load(PIPELINE, w.getKey())) {
				double[] s = member.predict(table(rows)).scores();
				for (int r = 0; r < vote.length; r++) {
					vote[r] += w.getValue() * s[r];
				}
			}
		}
		return vote;
	}

	private static void assertScores(List<Scored> scored, double[] expected, int version) {
		assertThat(scored).hasSize(expected.length);
		for (int r = 0; r < expected.length; r++) {
			assertThat(scored.get(r).version()).isEqualTo(version);
			assertThat(scored.get(r).score()).as("row " + r).isCloseTo(expected[r], within(1e-6));
			assertThat(scored.get(r).probabilities()[1]).isCloseTo(expected[r], within(1e-6));
			assertThat(scored.get(r).label()).isEqualTo((expected[r] >= 0.5) ? "1" : "0");
		}
	}

	@Test
	void theChampionServesTheWeightedVoteOfItsMembersAndTheEtagFollowsTheWeights() throws Exception {
		runToEnd(LAST.minusDays(3), "first");
		runToEnd(LAST, "second");
		if (this.registry.champion(PIPELINE).orElseThrow() == 1) {
			this.operations.promote(PIPELINE, 2, 1, "alice", "a committee of two", true);
		}
		assertThat(this.committees.current(PIPELINE).orElseThrow().byVersion()).containsOnlyKeys(1, 2);
		// weights apart from 1/2 each, as labels would move them
		java.time.LocalDate day = LAST.plusDays(1);
		this.committees.update(PIPELINE, Map.of(1, 0.1, 2, 0.4), "labels of the test", day, day);
		Map<Integer, Double> weights = this.committees.current(PIPELINE).orElseThrow().byVersion();
		assertThat(weights.get(1)).isCloseTo(Math.exp(-0.3) / (Math.exp(-0.3) + Math.exp(-1.2)), within(1e-12));

		// the champion's download is the committee: the manifest and each member's files
		HttpResponse<byte[]> first = download("/api/models/" + PIPELINE + "/aliases/champion/artifact", null);
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.headers().firstValue("X-Model-Version")).contains("2");
		assertThat(first.headers().firstValue("X-Committee-Members"))
			.contains("1=" + weights.get(1) + ",2=" + weights.get(2));
		String etag = first.headers().firstValue("ETag").orElseThrow();
		assertThat(download("/api/models/" + PIPELINE + "/committee/artifact", null).body()).isEqualTo(first.body());
		assertThat(download("/api/models/" + PIPELINE + "/aliases/champion/artifact", etag).statusCode())
			.isEqualTo(304);
		// one version's own download is unchanged
		assertThat(download("/api/models/" + PIPELINE + "/versions/2/artifact", null).headers()
			.firstValue("X-Committee-Revision")).isEmpty();

		List<Map<String, Object>> rows = rows();
		try (Champion champion = Champion.builder("http://127.0.0.1:" + this.port, PIPELINE)
			.basicAuth(ApiClient.VIEWER, ApiClient.VIEWER + "-pw")
			.pollEvery(null)
			.build()) {
			assertThat(champion.version()).isEqualTo(2);
			assertThat(champion.committee()).isEqualTo(weights);
			double[] vote = handVote(weights, rows);
			assertScores(champion.score(rows), vote, 2);
			assertThat(champion.score(table(rows)).predictions().scores()).containsExactly(vote, within(1e-6));
			// the vote is neither member alone
			try (ModelArtifact v2 = this.store.load(PIPELINE, 2)) {
				assertThat(v2.predict(table(rows)).scores()).isNotEqualTo(vote);
			}
			assertThat(champion.refresh()).as("nothing moved: 304").isFalse();

			// labels move the weights: the ETag changes, the client swaps to the new vote
			this.committees.update(PIPELINE, Map.of(1, 0.5, 2, 0.0), "more labels", day.plusDays(1), day.plusDays(1));
			Map<Integer, Double> moved = this.committees.current(PIPELINE).orElseThrow().byVersion();
			HttpResponse<byte[]> after = download("/api/models/" + PIPELINE + "/aliases/champion/artifact", etag);
			assertThat(after.statusCode()).isEqualTo(200);
			assertThat(after.headers().firstValue("ETag")).isPresent().isNotEqualTo(java.util.Optional.of(etag));
			assertThat(champion.refresh()).isTrue();
			assertThat(champion.version()).isEqualTo(2);
			assertThat(champion.committee()).isEqualTo(moved);
			assertScores(champion.score(rows), handVote(moved, rows), 2);

			// a rollback to v1 takes v2 out of the committee: v1 alone, with all the
			// weight
			var rolled = ApiClient.as(this.port, ApiClient.ADMIN)
				.post("/api/models/" + PIPELINE + "/rollback",
						"{\"expectedChampion\":2,\"reason\":\"v2 is worse in production\"}");
			assertThat(rolled.statusCode()).as(rolled.body()).isEqualTo(200);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> this.committees.current(PIPELINE).orElseThrow().byVersion().equals(Map.of(1, 1.0)));
			assertThat(champion.refresh()).isTrue();
			assertThat(champion.version()).isEqualTo(1);
			assertThat(champion.committee()).isEqualTo(Map.of(1, 1.0));
			assertScores(champion.score(rows), handVote(Map.of(1, 1.0), rows), 1);
		}

		// REST: the committee now and its history
		ApiClient viewer = ApiClient.as(this.port, ApiClient.VIEWER);
		JsonNode now = ApiClient.json(viewer.get("/api/models/" + PIPELINE + "/committee"));
		assertThat(now.get("served").asBoolean()).isTrue();
		assertThat(now.get("champion").asInt()).isEqualTo(1);
		assertThat(now.get("weighting").asString()).isEqualTo("hedge");
		assertThat(now.get("members")).hasSize(1);
		assertThat(now.at("/members/0/weight").asDouble()).isEqualTo(1.0);
		JsonNode history = ApiClient.json(viewer.get("/api/models/" + PIPELINE + "/committee/history"));
		List<String> kinds = new ArrayList<>();
		history.forEach(u -> kinds.add(u.get("kind").asString()));
		assertThat(kinds).endsWith("LABELS", "LABELS", "RETIRE");
		JsonNode labels = history.get(history.size() - 3);
		assertThat(labels.at("/losses/1").asDouble()).isEqualTo(0.1);
		assertThat(labels.at("/weights/1").asDouble()).isEqualTo(weights.get(1));
		assertThat(history.get(history.size() - 1).get("source").asString()).isEqualTo("v2 rolled back to v1 by admin");
		assertThat(ApiClient.json(viewer.get("/api/models/" + PIPELINE + "/committee/history?limit=1"))).hasSize(1);
		HttpResponse<String> none = viewer.get("/api/models/no-such-committee/committee");
		assertThat(none.statusCode()).isEqualTo(404);
		assertThat(viewer.get("/api/models/" + PIPELINE + "/committee/history?limit=0").statusCode()).isEqualTo(400);

		// the audit log has every change of the committee, as GET /api/audit gives it
		JsonNode audited = ApiClient.json(viewer.get("/api/audit?pipeline=" + PIPELINE + "&limit=1000"));
		List<String> committeeRows = new ArrayList<>();
		for (int i = audited.size() - 1; i >= 0; i--) {
			JsonNode e = audited.get(i);
			if (e.get("action").asString().startsWith("COMMITTEE_")) {
				committeeRows.add(e.get("action").asString() + " " + e.get("target").asString() + " by "
						+ e.get("actor").asString());
			}
		}
		assertThat(committeeRows).endsWith("COMMITTEE_WEIGHTS committee by system",
				"COMMITTEE_WEIGHTS committee by system", "COMMITTEE_RETIRE v2 by admin");
		assertThat(committeeRows).anyMatch(r -> r.startsWith("COMMITTEE_ADMIT v1 by run "));
		JsonNode weighed = ApiClient
			.json(viewer.get("/api/audit?pipeline=" + PIPELINE + "&action=COMMITTEE_WEIGHTS&limit=1"));
		assertThat(weighed.at("/0/details").asString()).contains("labels of " + day.plusDays(1))
			.contains("(more labels)");

		// the console: members and weights now, the weights over time, the changes
		HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
		signIn(browser, ApiClient.VIEWER);
		HttpResponse<String> page = browser.send(HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/console/models/" + PIPELINE + "/committee"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("id=\"members\"")
			.contains("data-version=\"1\"")
			.contains("committee of the last 3 versions, hedge (eta 3)")
			.contains("<svg class=\"weights\"")
			.contains("v2 rolled back to v1 by admin");
		// both versions drawn as a line over the changes they were members in
		assertThat(Pattern.compile("<g class=\"member\" data-version=\"(\\d+)\"><title>v\\d+</title><polyline")
			.matcher(page.body())
			.results()
			.map(m -> m.group(1))
			.toList()).containsExactly("1", "2");
		// the weight of v2 after the first labels, to four significant digits, in the
		// history
		assertThat(page.body())
			.contains("v2 " + new java.math.BigDecimal(weights.get(2)).round(new java.math.MathContext(4))
				.stripTrailingZeros()
				.toPlainString());
		HttpResponse<String> auditPage = browser.send(HttpRequest.newBuilder(URI.create(
				"http://127.0.0.1:" + this.port + "/console/audit?pipeline=" + PIPELINE + "&action=COMMITTEE_RETIRE"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(auditPage.statusCode()).isEqualTo(200);
		assertThat(auditPage.body()).contains("COMMITTEE_RETIRE").contains("v2 rolled back to v1 by admin");
		HttpResponse<String> pipelinePage = browser
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/console/pipelines/" + PIPELINE))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(pipelinePage.body()).contains("id=\"committee-link\"");
	}

	private void signIn(HttpClient browser, String user) throws Exception {
		HttpResponse<String> login = browser.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/login")).build(),
				HttpResponse.BodyHandlers.ofString());
		Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login.body());
		assertThat(csrf.find()).isTrue();
		HttpResponse<String> signedIn = browser
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/login"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("username=" + user + "&password=" + user + "-pw&_csrf="
						+ URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(signedIn.statusCode()).isEqualTo(302);
	}

}

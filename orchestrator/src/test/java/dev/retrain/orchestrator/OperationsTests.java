package dev.retrain.orchestrator;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.backtest.BacktestJobConfiguration;
import dev.retrain.jobs.backtest.BacktestRecovery;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.WEAK_MODEL;
import static dev.retrain.orchestrator.ApiClient.ADMIN;
import static dev.retrain.orchestrator.ApiClient.OPERATOR;
import static dev.retrain.orchestrator.ApiClient.VIEWER;
import static dev.retrain.orchestrator.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Roles, compare-and-set, rollback, approval, retention and the audit log, over real HTTP
 * on H2.
 */
class OperationsTests extends OrchestratorTestSupport {

	@org.springframework.beans.factory.annotation.Autowired
	org.springframework.jdbc.core.JdbcTemplate jdbc;

	@org.springframework.beans.factory.annotation.Autowired
	dev.retrain.jobs.runs.PipelineLocks locks;

	@org.springframework.beans.factory.annotation.Autowired
	BacktestRecovery backtestRecovery;

	@org.springframework.beans.factory.annotation.Autowired
	JobRepository jobRepository;

	@org.springframework.beans.factory.annotation.Autowired
	dev.retrain.jobs.runs.NodeLiveness liveness;

	@BeforeAll
	static void pipelines(ApplicationContext context) {
		sampleData("operations", 150, 81);
		definePipeline(context, "ops",
				PipelineFixtures.yaml("ops", "operations", WEAK_MODEL, "retention:\n  keep-last: 1"));
		definePipeline(context, "vanish", PipelineFixtures.yaml("vanish", "operations", GOOD_MODEL, ""));
		definePipeline(context, "long",
				PipelineFixtures.yaml("long", "operations", GOOD_MODEL.replace("epochs: 6", "epochs: 400"), ""));
		definePipeline(context, "gated", PipelineFixtures.yaml("gated", "operations", GOOD_MODEL, "")
			.replace("  metric: roc_auc\n", "  metric: roc_auc\n  approval: required\n"));
		definePipeline(context, "tested", PipelineFixtures.yaml("tested", "operations", GOOD_MODEL, "")
			.replace("  guards:\n", "  test: {method: paired-bootstrap, resamples: 200}\n  guards:\n"));
	}

	ApiClient as(String user) {
		return ApiClient.as(this.port, user);
	}

	JsonNode run(String pipeline, String runKey) throws Exception {
		HttpResponse<String> r = as(OPERATOR).post("/api/pipelines/" + pipeline + "/runs",
				"{\"asOf\":\"" + LAST + "\",\"runKey\":\"" + runKey + "\"}");
		assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
		long id = json(r).get("runId").asLong();
		await().atMost(Duration.ofMinutes(2))
			.until(() -> !json(as(VIEWER).get("/api/runs/" + id)).get("endedAt").isNull());
		return json(as(VIEWER).get("/api/runs/" + id));
	}

	@Test
	void aVersionWhoseFilesAreGoneIsNeitherServedNorPromotedAndItsProblemSaysWhatIsMissing() throws Exception {
		assertThat(run("vanish", "one").get("status").asString()).isEqualTo("COMPLETED");
		assertThat(run("vanish", "two").get("status").asString()).isEqualTo("COMPLETED");
		Path dir = DATA_DIR.resolve("models/vanish/2");
		Path away = Files.createTempDirectory("moved-away").resolve("2");
		Files.move(dir, away);
		try {
			HttpResponse<String> read = as(VIEWER).get("/api/models/vanish/versions/2");
			assertThat(read.statusCode()).as(read.body()).isEqualTo(409);
			assertThat(json(read).get("detail").asString()).contains("vanish/2/metadata.json")
				.doesNotContain(DATA_DIR.toString());
			HttpResponse<String> promote = as(ADMIN).post("/api/models/vanish/force-promote",
					"{\"version\":2,\"expectedChampion\":1,\"reason\":\"try it\"}");
			assertThat(promote.statusCode()).as(promote.body()).isEqualTo(409);
			assertThat(json(promote).get("type").asString()).endsWith("version-files-missing");
			assertThat(json(as(VIEWER).get("/api/models/vanish/versions")).get("aliases").get("champion").asInt())
				.isEqualTo(1);
		}
		finally {
			Files.move(away, dir);
		}
		assertThat(as(VIEWER).get("/api/models/vanish/versions/2").statusCode()).isEqualTo(200);
	}

	@Test
	void eachRoleCanDoExactlyWhatItShould() throws Exception {
		ApiClient anonymous = ApiClient.anonymous(this.port);
		assertThat(anonymous.get("/actuator/health").statusCode()).isEqualTo(200);
		HttpResponse<String> unauthorized = anonymous.get("/api/pipelines");
		assertThat(unauthorized.statusCode()).isEqualTo(401);
		assertThat(unauthorized.headers().firstValue("Content-Type")).contains("application/problem+json");
		assertThat(json(unauthorized).get("status").asInt()).isEqualTo(401);
		assertThat(ApiClient.as(this.port, "nobody").get("/api/pipelines").statusCode()).isEqualTo(401);
		assertThat(ApiClient.apiKey(this.port, "wrong").get("/api/pipelines").statusCode()).isEqualTo(401);

		assertThat(as(VIEWER).get("/api/pipelines").statusCode()).isEqualTo(200);
		assertThat(as(VIEWER).get("/api/audit").statusCode()).isEqualTo(200);
		assertThat(as(VIEWER).get("/actuator/prometheus").statusCode()).isEqualTo(200);
		HttpResponse<String> forbidden = as(VIEWER).post("/api/pipelines/ops/runs", "{}");
		assertThat(forbidden.statusCode()).isEqualTo(403);
		assertThat(json(forbidden).get("status").asInt()).isEqualTo(403);
		assertThat(as(VIEWER).post("/api/schedules/retrain/ops/pause", null).statusCode()).isEqualTo(403);

		assertThat(as(OPERATOR).post("/api/pipelines/reload", null).statusCode()).isEqualTo(403);
		assertThat(as(OPERATOR).post("/api/models/ops/rollback", "{\"reason\":\"x\"}").statusCode()).isEqualTo(403);
		assertThat(as(OPERATOR).post("/api/models/ops/promote", "{\"version\":1,\"reason\":\"x\"}").statusCode())
			.isEqualTo(403);
		assertThat(as(OPERATOR).post("/api/models/ops/retention", null).statusCode()).isEqualTo(403);
		assertThat(ApiClient.apiKey(this.port, ApiClient.API_KEY).get("/api/runs").statusCode()).isEqualTo(200);
		assertThat(ApiClient.apiKey(this.port, ApiClient.API_KEY).post("/api/pipelines/reload", null).statusCode())
			.isEqualTo(403);

		HttpResponse<String> reload = as(ADMIN).post("/api/pipelines/reload", null);
		assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
		assertThat(json(reload).get("pipelines").valueStream().map(JsonNode::asString).toList()).contains("ops",
				"gated");
	}

	@Test
	void promotionRollbackRetentionAndTheAuditTrail() throws Exception {
		// the same data and seed give the same model: v1 is promoted, later runs tie and
		// are rejected
		assertThat(run("ops", "one").get("decision").asString()).isEqualTo("PROMOTE");
		assertThat(run("ops", "two").get("decision").asString()).isEqualTo("REJECT");
		assertThat(champion()).isEqualTo(1);

		// a stale belief about the champion gets 409 and changes nothing
		HttpResponse<String> conflict = as(ADMIN).post("/api/models/ops/force-promote",
				"{\"version\":2,\"expectedChampion\":2,\"reason\":\"try\"}");
		assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(409);
		assertThat(json(conflict).get("current").asInt()).isEqualTo(1);
		assertThat(champion()).isEqualTo(1);

		// a version that failed its policy is only promoted by force, and marked so
		assertThat(run("ops", "three").get("decision").asString()).isEqualTo("REJECT");
		HttpResponse<String> refused = as(ADMIN).post("/api/models/ops/promote",
				"{\"version\":3,\"expectedChampion\":1,\"reason\":\"want it\"}");
		assertThat(refused.statusCode()).isEqualTo(409);
		assertThat(json(refused).get("detail").asString()).contains("forced promotion");
		// forcing is an admin's: an operator is refused, and nothing moves
		HttpResponse<String> notAdmin = as(OPERATOR).post("/api/models/ops/force-promote",
				"{\"version\":3,\"expectedChampion\":1,\"reason\":\"mine\"}");
		assertThat(notAdmin.statusCode()).as(notAdmin.body()).isEqualTo(403);
		assertThat(champion()).isEqualTo(1);
		HttpResponse<String> forced = as(ADMIN).post("/api/models/ops/force-promote",
				"{\"version\":3,\"expectedChampion\":1,\"reason\":\"hotfix for the incident\"}");
		assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
		assertThat(json(forced).get("forced").asBoolean()).isTrue();
		assertThat(champion()).isEqualTo(3);

		// rollback restores the previous champion; the history shows both moves
		assertThat(as(ADMIN).post("/api/models/ops/rollback", "{\"expectedChampion\":1,\"reason\":\"stale\"}")
			.statusCode()).isEqualTo(409);
		HttpResponse<String> rollback = as(ADMIN).post("/api/models/ops/rollback",
				"{\"expectedChampion\":3,\"reason\":\"latency regression\"}");
		assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(200);
		JsonNode after = json(as(VIEWER).get("/api/models/ops/versions"));
		assertThat(after.at("/aliases/champion").asInt()).isEqualTo(1);
		assertThat(after.at("/aliases/previous").asInt()).isEqualTo(3);
		List<String> moves = after.get("history")
			.valueStream()
			.filter(h -> h.get("alias").asString().equals("champion"))
			.map(h -> h.get("fromVersion").asInt() + "->" + h.get("toVersion").asInt() + " "
					+ h.get("reason").asString())
			.toList();
		assertThat(moves).containsExactly("0->1 promoted: no champion yet",
				"1->3 forced promotion: hotfix for the incident", "3->1 rollback: latency regression");
		JsonNode audit = json(as(VIEWER).get("/api/audit?pipeline=ops"));
		assertThat(audit.valueStream().map(e -> e.get("action").asString()).toList()).startsWith("ROLLBACK",
				"FORCE_PROMOTE");
		assertThat(audit.get(0).get("actor").asString()).isEqualTo(ADMIN);

		// retention (keep the newest 1) keeps champion v1, previous v3, the aliased v4;
		// deletes v2, rows and files
		assertThat(run("ops", "four").get("candidateVersion").asInt()).isEqualTo(4);
		HttpResponse<String> shadow = as(ADMIN).send("PUT", "/api/models/ops/aliases/shadow", "application/json",
				"{\"version\":4,\"reason\":\"shadow traffic\"}");
		assertThat(shadow.statusCode()).as(shadow.body()).isEqualTo(200);
		JsonNode plan = json(as(VIEWER).get("/api/models/ops/retention"));
		assertThat(plan.get("delete").valueStream().map(JsonNode::asInt).toList()).containsExactly(2);
		// each kept version says why in words that fit it: the champion as the champion
		assertThat(plan.get("kept").get("1").asString()).isEqualTo("the champion");
		assertThat(plan.get("kept").get("3").asString()).isEqualTo("aliased as previous");
		assertThat(plan.get("kept").get("4").asString()).isEqualTo("aliased as shadow");
		assertThat(Files.exists(DATA_DIR.resolve("models/ops/2/model.params"))).as("a dry run deletes nothing")
			.isTrue();
		JsonNode applied = json(as(ADMIN).post("/api/models/ops/retention", null));
		assertThat(applied.get("delete").valueStream().map(JsonNode::asInt).toList()).containsExactly(2);
		assertThat(json(as(VIEWER).get("/api/models/ops/versions")).get("versions")
			.valueStream()
			.map(v -> v.get("version").asInt())
			.toList()).containsExactly(4, 3, 1);
		assertThat(Files.exists(DATA_DIR.resolve("models/ops/2"))).isFalse();
		assertThat(as(VIEWER).get("/api/models/ops/versions/2").statusCode()).isEqualTo(404);
		for (int v : List.of(1, 3, 4)) {
			assertThat(Files.exists(DATA_DIR.resolve("models/ops/" + v + "/model.params"))).isTrue();
		}
		assertThat(
				json(as(VIEWER).get("/api/audit?pipeline=ops&action=DELETE_VERSION")).get(0).get("target").asString())
			.isEqualTo("v2");
		JsonNode compare = json(as(VIEWER).get("/api/models/ops/compare?a=1&b=4"));
		assertThat(compare.get("metricsA").has("recent")).isTrue();
		assertThat(compare.get("snapshotA").asString()).isEqualTo(compare.get("snapshotB").asString());
	}

	int champion() throws Exception {
		return json(as(VIEWER).get("/api/models/ops/versions")).at("/aliases/champion").asInt();
	}

	@Test
	void aWinningCandidateWaitsForApprovalAndIsPromotedOnlyWhenApproved() throws Exception {
		JsonNode first = run("gated", "g1");
		assertThat(first.get("decision").asString()).isEqualTo("PENDING");
		assertThat(json(as(VIEWER).get("/api/models/gated/versions")).at("/aliases/champion").isMissingNode()).isTrue();

		HttpResponse<String> rejected = as(OPERATOR).post("/api/models/gated/versions/1/reject",
				"{\"reason\":\"holdout too small this week\"}");
		assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(200);
		assertThat(json(rejected).get("review").asString()).isEqualTo("REJECTED");
		assertThat(as(OPERATOR).post("/api/models/gated/versions/1/approve", "{\"reason\":\"changed my mind\"}")
			.statusCode()).as("a rejected version is no longer pending").isEqualTo(409);

		JsonNode second = run("gated", "g2");
		assertThat(second.get("decision").asString()).isEqualTo("PENDING");
		HttpResponse<String> approved = as(OPERATOR).post("/api/models/gated/versions/2/approve",
				"{\"reason\":\"looked at the slices\"}");
		assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
		assertThat(json(approved).get("review").asString()).isEqualTo("APPROVED");
		assertThat(json(approved).get("reviewedBy").asString()).isEqualTo(OPERATOR);
		assertThat(json(as(VIEWER).get("/api/models/gated/versions")).at("/aliases/champion").asInt()).isEqualTo(2);
		assertThat(json(as(VIEWER).get("/api/audit?pipeline=gated")).valueStream().map(e -> e.get("action").asString()))
			.contains("APPROVE", "REJECT");
	}

	@Test
	void thePromotionTestsIntervalIsInTheRunsDecisionAndOnItsConsolePage() throws Exception {
		assertThat(run("tested", "t1").get("decision").asString()).isEqualTo("PROMOTE");
		// the same data and settings: the same model, a difference of exactly 0
		JsonNode second = run("tested", "t2");

		assertThat(second.get("decision").asString()).isEqualTo("REJECT");
		assertThat(second.get("decisionSummary").asString())
			.contains("roc_auc difference +0.0000, 95% interval [+0.0000, +0.0000] includes 0");
		assertThat(second.at("/details/decision/test/method").asString()).isEqualTo("paired-bootstrap");
		assertThat(second.at("/details/decision/test/resamples").asInt()).isEqualTo(200);
		assertThat(second.at("/details/evaluation/test/rows").asInt()).isPositive();

		java.net.http.HttpClient browser = java.net.http.HttpClient.newBuilder()
			.cookieHandler(new java.net.CookieManager())
			.build();
		String base = "http://127.0.0.1:" + this.port;
		String login = browser
			.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/login")).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
		java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"")
			.matcher(login);
		assertThat(csrf.find()).isTrue();
		browser.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/login"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(java.net.http.HttpRequest.BodyPublishers
				.ofString("username=" + VIEWER + "&password=" + VIEWER + "-pw&_csrf="
						+ java.net.URLEncoder.encode(csrf.group(1), java.nio.charset.StandardCharsets.UTF_8)))
			.build(), HttpResponse.BodyHandlers.ofString());
		HttpResponse<String> page = browser.send(java.net.http.HttpRequest
			.newBuilder(java.net.URI.create(base + "/console/runs/" + second.get("runId").asLong()))
			.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("id=\"decision-test\"")
			.contains(
					"roc_auc difference +0.0000, 95% interval [+0.0000, +0.0000], margin +0.0000 (paired-bootstrap, 200 resamples of");
	}

	@Test
	void runsCanBeFilteredPagedAndBadInputNeverGets5xx() throws Exception {
		JsonNode page = json(as(VIEWER).get("/api/runs?size=1&page=0"));
		assertThat(page.has("total")).isTrue();
		assertThat(as(VIEWER).get("/api/runs?status=EXPLODED").statusCode()).isEqualTo(400);
		assertThat(as(VIEWER).get("/api/runs?size=0").statusCode()).isEqualTo(400);
		assertThat(as(VIEWER).get("/api/runs?from=yesterday").statusCode()).isEqualTo(400);
		// the registry's request validation and its problem details:
		// RegistryRequestsTests,
		// a web slice; here, through the security filters, one bad request of an admin
		assertThat(as(ADMIN).post("/api/models/ops/promote", "{\"version\":1}").statusCode()).as("reason required")
			.isEqualTo(400);
		String big = "{\"cause\":\"" + "x".repeat(2_000_000) + "\"}";
		HttpResponse<String> oversized = as(OPERATOR).post("/api/pipelines/ops/runs", big);
		assertThat(oversized.statusCode()).isEqualTo(413);
		assertThat(json(oversized).get("status").asInt()).isEqualTo(413);
		assertThat(as(OPERATOR).post("/api/runs/999999/stop", null).statusCode()).isEqualTo(404);
	}

	@Test
	void aStoppedRunEndsStoppedKeepsItsCheckpointAndResumesOnRestart() throws Exception {
		HttpResponse<String> launched = as(OPERATOR).post("/api/pipelines/long/runs", "{\"asOf\":\"" + LAST + "\"}");
		long id = json(launched).get("runId").asLong();
		await().atMost(Duration.ofMinutes(1))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> json(as(VIEWER).get("/api/runs/" + id)).get("progress")
				.asString("")
				.matches("training: epoch \\d+ of 400.*"));
		HttpResponse<String> stop = as(OPERATOR).post("/api/runs/" + id + "/stop", null);
		assertThat(stop.statusCode()).as(stop.body()).isEqualTo(202);
		await().atMost(Duration.ofMinutes(1))
			.until(() -> !json(as(VIEWER).get("/api/runs/" + id)).get("endedAt").isNull());
		JsonNode stopped = json(as(VIEWER).get("/api/runs/" + id));
		assertThat(stopped.get("status").asString()).isEqualTo("STOPPED");
		assertThat(stopped.get("failureReason").asString()).contains("stopped on request");
		assertThat(as(OPERATOR).post("/api/runs/" + id + "/stop", null).statusCode()).isEqualTo(409);

		HttpResponse<String> restarted = as(OPERATOR).post("/api/runs/" + id + "/restart", null);
		assertThat(restarted.statusCode()).as(restarted.body()).isEqualTo(202);
		long again = json(restarted).get("runId").asLong();
		await().atMost(Duration.ofMinutes(2))
			.until(() -> !json(as(VIEWER).get("/api/runs/" + again)).get("endedAt").isNull());
		JsonNode resumed = json(as(VIEWER).get("/api/runs/" + again));
		assertThat(resumed.get("status").asString()).as(resumed.toString()).isEqualTo("COMPLETED");
		assertThat(resumed.at("/details/training/resumedFromEpoch").asInt()).isGreaterThanOrEqualTo(1).isLessThan(400);
		assertThat(resumed.at("/details/training/curve").size()).isEqualTo(400);
		assertThat(json(as(VIEWER).get("/api/audit?pipeline=long")).valueStream().map(e -> e.get("action").asString()))
			.contains("STOP_RUN", "RESTART_RUN");
	}

	@Test
	void aBacktestStartedOverRestReportsProgressAndItsReportAndLeavesTheLivePipelineAlone() throws Exception {
		String policies = "period-days: 5\\nwarmup-days: 10\\npolicies:\\n  - {name: psi, type: fixed-psi, threshold: 0.25}\\n"
				+ "  - {name: weekly, type: schedule, cron: \\\"0 0 0 ? * MON\\\"}\\n";
		// a bad policy file is refused at once, naming the policy and the field; nothing
		// starts
		HttpResponse<String> refused = as(OPERATOR).post("/api/backtests", "{\"pipeline\":\"ops\",\"policies\":\""
				+ "policies:\\n  - {name: d, type: drift, drift: {alpha: 2}}\\n\"}");
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
		assertThat(refused.body()).contains("policy 'd'").contains("drift.alpha");
		HttpResponse<String> badType = as(OPERATOR).post("/api/backtests",
				"{\"pipeline\":\"ops\",\"policies\":\"" + "policies:\\n  - {name: s, type: sometimes}\\n\"}");
		assertThat(badType.statusCode()).as(badType.body()).isEqualTo(400);
		assertThat(badType.body()).contains("field 'policies[0].type': policy 's': 'sometimes' is not one of");
		int backtestsBefore = this.jdbc.queryForObject("SELECT COUNT(*) FROM backtest", Integer.class);
		assertThat(as(VIEWER).post("/api/backtests", "{\"pipeline\":\"ops\",\"policies\":\"" + policies + "\"}")
			.statusCode()).isEqualTo(403);
		int versionsBefore = json(as(VIEWER).get("/api/models/ops/versions")).get("versions").size();
		HttpResponse<String> started = as(OPERATOR).post("/api/backtests",
				"{\"pipeline\":\"ops\",\"policies\":\"" + policies + "\"}");
		assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
		long id = json(started).get("id").asLong();
		await().atMost(Duration.ofMinutes(3))
			.until(() -> !json(as(VIEWER).get("/api/backtests/" + id)).get("status").asString().equals("RUNNING"));
		JsonNode done = json(as(VIEWER).get("/api/backtests/" + id));
		assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("COMPLETED");
		assertThat(done.at("/report/policies").valueStream().map(p -> p.get("name").asString()).toList())
			.containsExactly("train-once", "psi", "weekly");
		assertThat(done.at("/report/policies/2/retrains").asInt()).isPositive();
		// the status carries the summary; the periods are in report.json and periods.csv
		assertThat(done.at("/report/policies/1").has("timeline")).isFalse();
		JsonNode whole = json(as(VIEWER).get("/api/backtests/" + id + "/report.json"));
		assertThat(whole.at("/policies/2/retrains").asInt()).isEqualTo(done.at("/report/policies/2/retrains").asInt());
		// the fixed-PSI rule's inputs are in the report: every numeric feature's PSI,
		// every period
		assertThat(whole.at("/policies/1/timeline/0/psi").propertyNames()).isNotEmpty();
		HttpResponse<String> csv = as(VIEWER).get("/api/backtests/" + id + "/periods.csv");
		assertThat(csv.statusCode()).isEqualTo(200);
		assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
		assertThat(csv.body().lines().filter(l -> l.startsWith("weekly,")).count())
			.isEqualTo(whole.at("/policies/2/periods").asLong());
		assertThat(done.at("/report/baselines/0/name").asString()).isEqualTo("train once (policy 'train-once')");
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM backtest", Integer.class))
			.isEqualTo(backtestsBefore + 1);
		HttpResponse<String> html = as(VIEWER).get("/api/backtests/" + id + "/report.html");
		assertThat(html.statusCode()).isEqualTo(200);
		assertThat(html.body()).contains("<svg");
		assertThat(json(as(VIEWER).get("/api/models/ops/versions")).get("versions").size()).isEqualTo(versionsBefore);
		// listed, newest first, for a viewer too: found again without its id
		JsonNode listed = json(as(VIEWER).get("/api/backtests?pipeline=ops"));
		assertThat(listed.get(0).get("id").asLong()).as(listed.toString()).isEqualTo(id);
		assertThat(listed.get(0).get("status").asString()).isEqualTo("COMPLETED");
		assertThat(listed.get(0).get("href").asString()).isEqualTo("/api/backtests/" + id);
		assertThat(listed.get(0).get("report").asString()).isEqualTo("/api/backtests/" + id + "/report.html");
		assertThat(listed.get(0).get("startedAt").asString()).isNotBlank();
		assertThat(listed.get(0).get("endedAt").asString()).isNotBlank();
		assertThat(json(as(VIEWER).get("/api/backtests?limit=1")).size()).isEqualTo(1);
		assertThat(json(as(VIEWER).get("/api/backtests?pipeline=nothing-here")).size()).isZero();
		assertThat(as(VIEWER).get("/api/backtests?limit=0").statusCode()).isEqualTo(400);
	}

	@Test
	void aBacktestLeftRunningByThisNodeIsFailedAtStartUpAnotherNodesOnceThatNodeIsDeclaredStoppedAndItRestarts()
			throws Exception {
		String node = this.locks.nodeId();
		long mine = orphanedBacktest(node);
		long theirs = orphanedBacktest("another-node");

		assertThat(this.backtestRecovery.recover()).isEqualTo(1);

		JsonNode failed = json(as(VIEWER).get("/api/backtests/" + mine));
		assertThat(failed.get("status").asString()).isEqualTo("FAILED");
		assertThat(failed.get("failure").asString()).contains("interrupted").contains(node);
		assertThat(json(as(VIEWER).get("/api/backtests/" + theirs)).get("status").asString()).isEqualTo("RUNNING");

		// the other node stops heartbeating: once declared stopped, its backtest is
		// failed too
		this.jdbc.update("INSERT INTO node_heartbeat (node, started_at, beat_at) VALUES ('another-node', ?, ?)",
				OffsetDateTime.now(ZoneOffset.UTC).minusHours(1), OffsetDateTime.now(ZoneOffset.UTC).minusHours(1));
		this.liveness.reap();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> json(as(VIEWER).get("/api/backtests/" + theirs)).get("status").asString().equals("FAILED"));
		assertThat(json(as(VIEWER).get("/api/backtests/" + theirs)).get("failure").asString())
			.contains("node another-node stopped");

		// the job repository failed it, so it restarts (operators only), keeps its id and
		// completes
		assertThat(as(VIEWER).post("/api/backtests/" + theirs + "/restart", null).statusCode()).isEqualTo(403);
		HttpResponse<String> restarted = as(OPERATOR).post("/api/backtests/" + theirs + "/restart", null);
		assertThat(restarted.statusCode()).as(restarted.body()).isEqualTo(202);
		assertThat(json(restarted).get("id").asLong()).isEqualTo(theirs);
		await().atMost(Duration.ofMinutes(2))
			.until(() -> !json(as(VIEWER).get("/api/backtests/" + theirs)).get("status").asString().equals("RUNNING"));
		JsonNode done = json(as(VIEWER).get("/api/backtests/" + theirs));
		assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("COMPLETED");
		assertThat(done.get("failure").isNull()).isTrue();
		assertThat(done.at("/report/policies/0/name").asString()).isEqualTo("never");
		assertThat(as(OPERATOR).post("/api/backtests/" + theirs + "/restart", null).statusCode()).isEqualTo(409);
		assertThat(as(OPERATOR).post("/api/backtests/" + theirs + "/stop", null).statusCode()).isEqualTo(409);
		assertThat(as(VIEWER).get("/api/backtests/999999").statusCode()).isEqualTo(404);
		this.jdbc.update("DELETE FROM node_heartbeat WHERE node = 'another-node'");
	}

	/**
	 * A backtest as a node that stopped leaves it: its row and stored request, and its
	 * job execution still STARTED in the job repository, in its replay step.
	 */
	private long orphanedBacktest(String node) throws Exception {
		this.jdbc.update("INSERT INTO backtest (pipeline, requested_by, created_at, node) VALUES ('ops', 'x', ?, ?)",
				OffsetDateTime.now(ZoneOffset.UTC), node);
		long id = this.jdbc.queryForObject("SELECT MAX(id) FROM backtest WHERE node = ?", Long.class, node);
		Path dir = Files.createDirectories(DATA_DIR.resolve("backtests").resolve(Long.toString(id)));
		Files.copy(CONFIG_DIR.resolve("ops.yaml"), dir.resolve("pipeline.yaml"));
		Files.writeString(dir.resolve("policies.yaml"),
				"period-days: 5\nwarmup-days: 10\npolicies:\n  - {name: never, type: never}\n");
		JobParameters params = new JobParametersBuilder().addLong(BacktestJobConfiguration.ID, id, true)
			.addString("pipeline", "ops", false)
			.toJobParameters();
		JobInstance instance = this.jobRepository.createJobInstance(BacktestJobConfiguration.JOB_NAME, params);
		JobExecution execution = this.jobRepository.createJobExecution(instance, params, new ExecutionContext());
		execution.setStatus(BatchStatus.STARTED);
		execution.setStartTime(LocalDateTime.now().minusMinutes(5));
		this.jobRepository.update(execution);
		StepExecution step = this.jobRepository.createStepExecution("replay", execution);
		step.setStatus(BatchStatus.STARTED);
		step.setStartTime(LocalDateTime.now().minusMinutes(5));
		this.jobRepository.update(step);
		return id;
	}

}

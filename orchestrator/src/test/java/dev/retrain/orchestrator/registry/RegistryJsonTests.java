package dev.retrain.orchestrator.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.json.JsonTest;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.registry.AliasChange;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.registry.ModelVersion;
import dev.retrain.jobs.registry.Review;
import dev.retrain.models.json.Json;
import dev.retrain.models.store.ArtifactMetadata;
import dev.retrain.orchestrator.ApiExamples;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The answers the OpenAPI document shows for the registry's operations
 * ({@code openapi/examples.json}) are the shapes the server writes: a JSON slice (the
 * application's JSON mapper as Spring Boot configures it, nothing else) serialises a real
 * answer of each operation and {@link ApiExamples} compares the example with it.
 */
@JsonTest
class RegistryJsonTests {

	private static final Instant AT = Instant.parse("2024-03-20T02:00:40Z");

	@Autowired
	JsonMapper mapper;

	/**
	 * Nothing but the JSON mapper: not the application class, which imports every job.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Slice {

	}

	private void assertExampleIsTheShapeOf(String operation, Object answer) {
		ApiExamples.assertExampleIsTheShapeOf(operation, this.mapper.valueToTree(answer));
	}

	/** A version with every field set, so that each has a JSON type to compare. */
	static ModelVersion version() {
		return new ModelVersion("sample", 4, AT, 42L, 40L, "RETRAIN", 3, "9b1e0c", "5d41402a", "roc_auc", 0.8712,
				Decision.PROMOTE, "promoted: roc_auc 0.8712 vs champion 0.8590", "{\"recent\":{\"roc_auc\":0.8712}}",
				"/srv/retrain/models/sample/4", Review.APPROVED, "alice", AT, "looked at the slices", false);
	}

	static Map<String, Integer> aliases() {
		return Map.of("champion", 4, "previous", 3);
	}

	@Test
	void promoteAndRollbackAnswerTheVersion() {
		assertExampleIsTheShapeOf("POST /api/models/{name}/promote", version());
		assertExampleIsTheShapeOf("POST /api/models/{name}/rollback", version());
	}

	@Test
	void theVersionListHasTheAliasesTheVersionsAndTheHistory() {
		ModelController.VersionList list = new ModelController.VersionList("sample", aliases(),
				List.of(ModelController.VersionSummary.of(version(), aliases())), List.of(new AliasChange(7, "sample",
						"champion", 3, 4, AT, "run 42", "promoted: roc_auc 0.8712 vs champion 0.8590", 42L)));
		assertExampleIsTheShapeOf("GET /api/models/{name}/versions", list);
	}

	@Test
	void oneVersionIsItsSummaryAndItsStoredMetadata() {
		ArtifactMetadata metadata = new ArtifactMetadata("sample", 4, AT, "42", "5d41402a", "RETRAIN",
				"retrain: the pipeline's mode", 3, null, List.of(), null, null, null, "0.36.0", "PyTorch", "2.7.1",
				null, "recent", Map.of("recent", Map.of("roc_auc", 0.8712)), 3,
				Map.of("recent", Map.of("roc_auc", 0.859)), null, null, Map.of("model.params", "sha256:ab12"), null);
		assertExampleIsTheShapeOf("GET /api/models/{name}/versions/{version}",
				new ModelController.VersionDetail(ModelController.VersionSummary.of(version(), aliases()), metadata));
	}

	@Test
	void theAuditLogIsAListOfEntries() {
		assertExampleIsTheShapeOf("GET /api/audit", List
			.of(new AuditLog.Entry(1, AT, "alice", "ROLLBACK", "sample", "v3", "v4 misbehaves on mobile traffic")));
	}

	@Test
	void anExampleThatShowsAFieldTheServerDoesNotSendFails() {
		JsonNode real = this.mapper.valueToTree(version());
		JsonNode invented = Json.MAPPER.readTree("{\"pipeline\": \"sample\", \"championVersion\": 3}");
		assertThatThrownBy(() -> ApiExamples.assertShape("x", invented, real)).isInstanceOf(AssertionError.class)
			.hasMessageContaining("x.championVersion is in the example but not in the answer");
		JsonNode mistyped = Json.MAPPER.readTree("{\"version\": \"4\"}");
		assertThatThrownBy(() -> ApiExamples.assertShape("x", mistyped, real)).isInstanceOf(AssertionError.class)
			.hasMessageContaining("x.version: the example's type");
	}

}

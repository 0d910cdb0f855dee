package dev.retrain.orchestrator.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureJdbc;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.ControllerAdvice;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.RegistryOperations;
import dev.retrain.models.json.Json;
import dev.retrain.models.store.ModelStore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry's write API refuses bad requests with problem details that name the field:
 * a web slice (MockMvc, no server, no batch, no scheduler) with the application's
 * problem-details advice and real collaborators: the registry operations over an embedded
 * H2 database migrated by the Flyway migrations, a model store and a pipeline catalog in
 * empty temporary directories. Security filters are left out here; who may call what is
 * {@code OperationsTests}' and the security tests' business, on the whole application.
 */
@WebMvcTest
@AutoConfigureMockMvc(addFilters = false)
@AutoConfigureJdbc
@AutoConfigureTestDatabase
class RegistryRequestsTests {

	@Autowired
	MockMvcTester mvc;

	/**
	 * This slice's beans, instead of the application class (which imports every job): the
	 * controller, the web package's advice, and the registry as the application builds
	 * it.
	 */
	@Configuration(proxyBeanMethods = false)
	@Import(RegistryController.class)
	@ComponentScan(basePackages = "dev.retrain.orchestrator.web", useDefaultFilters = false,
			includeFilters = @Filter(ControllerAdvice.class))
	static class Slice {

		@Bean
		Clock clock() {
			return Clock.systemUTC();
		}

		@Bean
		FailureText failureText() throws IOException {
			return new FailureText(Files.createTempDirectory("registry-data"),
					Files.createTempDirectory("registry-configs"));
		}

		@Bean
		ModelStore modelStore() throws IOException {
			return new ModelStore(Files.createTempDirectory("registry-store"));
		}

		@Bean
		PipelineCatalog pipelineCatalog() throws IOException {
			return new PipelineCatalog(Files.createTempDirectory("registry-pipelines"));
		}

		@Bean
		AuditLog auditLog(JdbcTemplate jdbc, Clock clock) {
			return new AuditLog(jdbc, clock);
		}

		@Bean
		ModelRegistry modelRegistry(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock,
				ApplicationEventPublisher events) {
			return new ModelRegistry(jdbc, tx, clock, events);
		}

		@Bean
		RegistryOperations registryOperations(ModelRegistry registry, ModelStore store, PipelineCatalog catalog,
				AuditLog audit, JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
			return new RegistryOperations(registry, store, catalog, audit, jdbc, tx, clock);
		}

	}

	private MvcTestResult send(String method, String path, String json) {
		return this.mvc.method(org.springframework.http.HttpMethod.valueOf(method))
			.uri(path)
			.contentType(MediaType.APPLICATION_JSON)
			.content(json)
			.exchange();
	}

	/** The problem of a response, checked to be problem details with this status. */
	private static JsonNode problem(MvcTestResult r, int status) throws Exception {
		String body = r.getResponse().getContentAsString();
		assertThat(r.getResponse().getStatus()).as(body).isEqualTo(status);
		assertThat(r.getResponse().getContentType()).startsWith("application/problem+json");
		JsonNode p = Json.MAPPER.readTree(body);
		assertThat(p.get("status").asInt()).isEqualTo(status);
		return p;
	}

	@Test
	void aMissingReasonIsA400NamingTheField() throws Exception {
		JsonNode p = problem(send("POST", "/api/models/ops/promote", "{\"version\":1}"), 400);
		assertThat(p.get("detail").asString()).startsWith("field 'reason': ");
		assertThat(p.get("problems")).hasSize(1);
		assertThat(p.get("problems").get(0).get("field").asString()).isEqualTo("reason");
	}

	@Test
	void everyBadFieldIsNamedInOneProblem() throws Exception {
		JsonNode p = problem(send("PUT", "/api/models/ops/aliases/shadow", "{\"reason\":\"  \"}"), 400);
		assertThat(p.get("problems").valueStream().map(f -> f.get("field").asString()).toList())
			.containsExactly("reason", "version");
		assertThat(p.get("detail").asString()).contains("field 'reason': ").contains("field 'version': ");
	}

	@Test
	void aValueOfTheWrongTypeNamesTheFieldNotTheJavaType() throws Exception {
		JsonNode p = problem(send("POST", "/api/models/ops/promote", "{\"version\":\"one\",\"reason\":\"x\"}"), 400);
		assertThat(p.get("detail").asString()).contains("field 'version'")
			.doesNotContain("PromoteRequest")
			.doesNotContain("java.");
	}

	@Test
	void anUnknownFieldIsRefused() throws Exception {
		JsonNode p = problem(send("POST", "/api/models/ops/promote", "{\"version\":1,\"reason\":\"x\",\"extra\":true}"),
				400);
		assertThat(p.get("detail").asString()).isEqualTo("unknown field 'extra'");
	}

	@Test
	void theRegistryRefusesToMoveAReservedAliasByHand() throws Exception {
		// the body is valid: it is the registry operations (real, over H2) that refuse
		JsonNode p = problem(send("PUT", "/api/models/ops/aliases/champion", "{\"version\":1,\"reason\":\"x\"}"), 400);
		assertThat(p.get("detail").asString()).contains("champion");
	}

	@Test
	void aValidRequestForAPipelineNoFileDefinesIsA404() throws Exception {
		JsonNode p = problem(send("POST", "/api/models/ops/promote", "{\"version\":1,\"reason\":\"x\"}"), 404);
		assertThat(p.get("detail").asString()).contains("no pipeline named 'ops'");
	}

	@Test
	void aBadPipelineNameInThePathIsA400() throws Exception {
		JsonNode p = problem(send("POST", "/api/models/Bad Name/promote", "{\"version\":1,\"reason\":\"x\"}"), 400);
		assertThat(p.get("detail").asString()).contains("invalid pipeline name");
	}

}

package dev.retrain.orchestrator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import dev.retrain.models.json.Json;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The answers the OpenAPI document shows ({@code openapi/examples.json}), compared with
 * what the server writes: every field of an example, at every depth, must be in the real
 * answer with the same JSON type. An example may leave fields out; it may not show one
 * the server does not send.
 */
public final class ApiExamples {

	private ApiExamples() {
	}

	/** The example answer of {@code operation} ("GET /api/audit"), its first status's. */
	public static JsonNode example(String operation) {
		try (InputStream in = ApiExamples.class.getResourceAsStream("/openapi/examples.json")) {
			JsonNode all = Json.MAPPER.readTree(in);
			assertThat(all.has(operation)).as("an example for %s", operation).isTrue();
			return all.get(operation).properties().iterator().next().getValue();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Every field of {@code example} is in {@code real}, with the same JSON type. */
	public static void assertShape(String where, JsonNode example, JsonNode real) {
		if (example.isNull()) {
			return;
		}
		assertThat(real.getNodeType()).as("%s: the example's type", where).isEqualTo(example.getNodeType());
		if (example.isObject()) {
			for (Map.Entry<String, JsonNode> field : example.properties()) {
				String at = where + "." + field.getKey();
				assertThat(real.has(field.getKey())).as("%s is in the example but not in the answer %s", at, real)
					.isTrue();
				assertShape(at, field.getValue(), real.get(field.getKey()));
			}
		}
		else if (example.isArray() && !example.isEmpty()) {
			assertThat(real.isEmpty()).as("%s: the sample answer has elements to compare", where).isFalse();
			assertShape(where + "[0]", example.get(0), real.get(0));
		}
	}

	/** The example of {@code operation} is the shape of {@code answer} as serialised. */
	public static void assertExampleIsTheShapeOf(String operation, JsonNode answer) {
		assertShape(operation, example(operation), answer);
	}

}

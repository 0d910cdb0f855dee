package dev.retrain.jobs.backtest;

import java.nio.file.Path;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

import dev.retrain.models.storage.Storage;

/**
 * Writes a pipeline file as a policy's sandbox sees it, edited as a YAML tree: the data
 * path made absolute, the policy's drift section in place of the pipeline's own, and no
 * schedule, and the policy's search section (or none) and committee section (or none) in
 * place of the pipeline's when the policy has one. The result is written anew from the
 * tree, so the file's comments and layout are not kept (nothing reads them in a sandbox).
 */
final class SandboxYaml {

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
		.build();

	private SandboxYaml() {
	}

	/**
	 * The pipeline file {@code yaml} with {@code data.path} set to {@code data}, its
	 * {@code schedule} removed and its {@code drift} section replaced by the policy's
	 * (none when the policy has none).
	 */
	static String of(String yaml, Path data, BacktestPolicy policy) {
		return of(yaml, data, null, policy);
	}

	/**
	 * The same, and a TorchScript model's {@code model.torchscript} made absolute against
	 * the live data directory {@code dataDir} when it is a relative local path (a sandbox
	 * has a data directory of its own).
	 */
	static String of(String yaml, Path data, Path dataDir, BacktestPolicy policy) {
		if (!(YAML.readTree(yaml) instanceof ObjectNode pipeline)) {
			throw new IllegalArgumentException("the pipeline file is not a YAML mapping");
		}
		pipeline.withObjectProperty("data").put("path", data.toString());
		JsonNode module = pipeline.path("model").path("torchscript");
		if (dataDir != null && module.isString() && !Storage.isObjectStorage(module.asString())
				&& !Path.of(module.asString()).isAbsolute()) {
			pipeline.withObjectProperty("model")
				.put("torchscript", dataDir.resolve(module.asString()).toAbsolutePath().normalize().toString());
		}
		pipeline.remove("schedule");
		pipeline.remove("drift");
		JsonNode drift = drift(policy);
		if (drift != null) {
			pipeline.set("drift", drift);
		}
		if (policy.searchYaml() != null) {
			pipeline.remove("search");
			if (!BacktestPolicy.NO_SEARCH.equals(policy.searchYaml())) {
				pipeline.set("search", YAML.readTree(policy.searchYaml()));
			}
		}
		if (policy.committeeYaml() != null) {
			ObjectNode promotion = pipeline.withObjectProperty("promotion");
			promotion.remove("committee");
			if (!BacktestPolicy.NO_COMMITTEE.equals(policy.committeeYaml())) {
				promotion.set("committee", YAML.readTree(policy.committeeYaml()));
			}
		}
		return YAML.writeValueAsString(pipeline);
	}

	private static JsonNode drift(BacktestPolicy policy) {
		if (policy.driftYaml() == null || policy.driftYaml().isBlank()) {
			return null;
		}
		try {
			return YAML.readTree(policy.driftYaml());
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException(
					"policy '" + policy.name() + "': the drift section is not valid YAML: " + ex.getOriginalMessage(),
					ex);
		}
	}

}

package dev.retrain.jobs.backtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The policies to compare, as YAML:
 * <pre>
 * period-days: 30
 * warmup-days: 365
 * policies:
 *   - {name: never, type: never}
 *   - {name: yearly, type: schedule, cron: "0 0 0 1 1 ?"}
 *   - name: performance
 *     type: drift
 *     drift: {current-days: 30, trigger-on: [performance], cooldown-hours: 720}
 *   - {name: psi-0.25, type: fixed-psi, threshold: 0.25}
 * </pre>
 */
public record PolicyFile(Integer periodDays, Integer warmupDays, String from, String to, List<Policy> policies) {

	static final YAMLMapper YAML = YAMLMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.build();

	/** One policy as written. */
	public record Policy(String name, String type, String cron, JsonNode drift, Double threshold) {
	}

	public static PolicyFile parse(String yaml) {
		return YAML.readValue(yaml, PolicyFile.class);
	}

	public List<BacktestPolicy> toPolicies() {
		List<BacktestPolicy> out = new ArrayList<>();
		for (Policy p : this.policies) {
			BacktestPolicy.Type type = BacktestPolicy.Type.valueOf(p.type().toUpperCase(Locale.ROOT).replace('-', '_'));
			String drift = (p.drift() != null) ? YAML.writeValueAsString(p.drift()).replaceFirst("^---\\s*\\n", "") : "";
			if (type == BacktestPolicy.Type.SCHEDULE && p.cron() == null) {
				throw new IllegalArgumentException("policy '" + p.name() + "': a schedule needs a cron");
			}
			out.add(new BacktestPolicy(p.name(), type, p.cron(), drift, (p.threshold() != null) ? p.threshold() : 0.25));
		}
		return out;
	}

}

package dev.retrain.jobs.backtest;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.dataformat.yaml.YAMLMapper;

import dev.retrain.jobs.pipeline.PipelineLoader;

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
 *   - name: yearly-or-drift
 *     type: combined
 *     cron: "0 0 0 1 1 ?"
 *     drift: {current-days: 30, trigger-on: [input, performance], cooldown-hours: 720}
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

	/** Parses a policy file; a YAML error, an unknown field or a bad value is refused naming where it is. */
	public static PolicyFile parse(String yaml) {
		PolicyFile f;
		try {
			f = YAML.readValue(yaml, PolicyFile.class);
		}
		catch (UnrecognizedPropertyException ex) {
			throw new IllegalArgumentException("policy file: " + where(ex) + "unknown field '" + ex.getPropertyName() + "'", ex);
		}
		catch (DatabindException ex) {
			throw new IllegalArgumentException("policy file: " + where(ex) + "bad value: " + ex.getOriginalMessage(), ex);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("policy file: not valid YAML: " + ex.getOriginalMessage(), ex);
		}
		if (f == null) {
			throw new IllegalArgumentException("policy file: the file is empty");
		}
		return f;
	}

	private static String where(DatabindException ex) {
		String path = PipelineLoader.path(ex);
		return path.isEmpty() ? "" : "field '" + path + "': ";
	}

	/**
	 * The backtest this file asks for, of a pipeline file's text whose data path resolves against {@code dataDir};
	 * 30-day periods and 365 days of warm-up unless the file says otherwise.
	 */
	public Backtester.Request request(String pipelineYaml, Path dataDir, Path workDir) {
		return new Backtester.Request(pipelineYaml, dataDir, workDir, date("from", this.from), date("to", this.to),
				(this.periodDays != null) ? this.periodDays : 30, (this.warmupDays != null) ? this.warmupDays : 365,
				toPolicies());
	}

	private static LocalDate date(String field, String value) {
		try {
			return (value != null) ? LocalDate.parse(value) : null;
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException(field + ": '" + value + "' is not a date (YYYY-MM-DD)", ex);
		}
	}

	/**
	 * The policies, checked before anything runs (a backtest can take an hour): each needs a unique name and a
	 * known type, a schedule a valid cron, a threshold a positive number; every problem is named with its policy.
	 */
	public List<BacktestPolicy> toPolicies() {
		if (this.policies == null || this.policies.isEmpty()) {
			throw new IllegalArgumentException("policies: at least one policy is needed");
		}
		List<BacktestPolicy> out = new ArrayList<>();
		Set<String> names = new HashSet<>();
		for (int i = 0; i < this.policies.size(); i++) {
			Policy p = this.policies.get(i);
			String where = "policies[" + i + "]";
			if (p.name() == null || p.name().isBlank()) {
				throw new IllegalArgumentException(where + ": a policy needs a name");
			}
			where = "policy '" + p.name() + "'";
			if (!names.add(p.name())) {
				throw new IllegalArgumentException(where + ": the name is used twice");
			}
			BacktestPolicy.Type type = type(where, p.type());
			String drift = (p.drift() != null) ? YAML.writeValueAsString(p.drift()).replaceFirst("^---\\s*\\n", "") : "";
			if (type == BacktestPolicy.Type.SCHEDULE || type == BacktestPolicy.Type.COMBINED) {
				if (p.cron() == null) {
					throw new IllegalArgumentException(where + ": a schedule needs a cron");
				}
				SimulatedCron.parse(p.cron());
			}
			if ((type == BacktestPolicy.Type.DRIFT || type == BacktestPolicy.Type.COMBINED) && p.drift() == null) {
				throw new IllegalArgumentException(where + ": a " + p.type() + " policy needs a drift section (as in a pipeline file)");
			}
			if ((type == BacktestPolicy.Type.NEVER || type == BacktestPolicy.Type.FIXED_PSI)
					&& (p.cron() != null || p.drift() != null)) {
				throw new IllegalArgumentException(where + ": a " + p.type() + " policy takes no cron or drift section");
			}
			if (type == BacktestPolicy.Type.SCHEDULE && p.drift() != null) {
				throw new IllegalArgumentException(where + ": a schedule with drift checks is type combined");
			}
			if (type == BacktestPolicy.Type.DRIFT && p.cron() != null) {
				throw new IllegalArgumentException(where + ": drift checks with a schedule are type combined");
			}
			double threshold = (p.threshold() != null) ? p.threshold() : 0.25;
			if (!(threshold > 0) || Double.isInfinite(threshold)) {
				throw new IllegalArgumentException(where + ": threshold must be a positive number, got " + p.threshold());
			}
			out.add(new BacktestPolicy(p.name(), type, p.cron(), drift, threshold));
		}
		return out;
	}

	private static BacktestPolicy.Type type(String where, String type) {
		if (type != null) {
			for (BacktestPolicy.Type t : BacktestPolicy.Type.values()) {
				if (t.name().replace('_', '-').equalsIgnoreCase(type)) {
					return t;
				}
			}
		}
		throw new IllegalArgumentException(where + ": type must be one of never, schedule, drift, fixed-psi, combined; got "
				+ ((type == null) ? "none" : "'" + type + "'"));
	}

}

package dev.retrain.jobs.backtest;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import dev.retrain.jobs.pipeline.ConfigBinder;
import dev.retrain.jobs.pipeline.ConfigProblem;
import dev.retrain.models.files.PathSegment;

/**
 * The policies to compare, as YAML: <pre>
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
 *   - name: yearly-searched
 *     type: schedule
 *     cron: "0 0 0 1 1 ?"
 *     search: {selection-days: 365, windows-days: [730, 1825]}
 *   - name: drift-committee
 *     type: drift
 *     drift: {current-days: 30, trigger-on: [performance], cooldown-hours: 720}
 *     committee: {size: 5, weighting: hedge, eta: 5}
 * </pre> {@code label-delay-periods: n} replays every policy with labels 0, 1 and n
 * periods late ({@link LabelDelay}), a row each in the report. {@code search} replaces
 * the pipeline's {@code search:} section for that policy ({@code false}: none); without
 * it the policy keeps the pipeline's own; {@code committee} likewise replaces the
 * pipeline's {@code promotion.committee} ({@code false}: the champion alone). Bound and
 * checked as a pipeline file is ({@link ConfigBinder}): every problem of the file at
 * once, each naming its field and, within a policy, the policy. Defaults are set in the
 * records' constructors.
 */
public record PolicyFile(@Min(value = 1, message = "{retrain.min}") Integer periodDays,
		@Min(value = 1, message = "{retrain.min}") Integer warmupDays, String from, String to,
		@NotEmpty(message = "at least one policy is needed") List<@NotNull(
				message = "{retrain.required}") @Valid Policy> policies,
		JsonNode labelDelayPeriods) {

	private static final ConfigBinder BINDER = new ConfigBinder();

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	public PolicyFile {
		periodDays = (periodDays != null) ? periodDays : 30;
		warmupDays = (warmupDays != null) ? warmupDays : 365;
	}

	/**
	 * One policy as written; {@code drift} is a pipeline file's {@code drift:} section,
	 * checked by the loader.
	 */
	public record Policy(@NotBlank(message = "a policy needs a name") String name,
			@NotNull(message = "type must be one of never, schedule, drift, fixed-psi, combined") PolicyType type,
			String cron, JsonNode drift,
			@DecimalMin(value = "0", inclusive = false,
					message = "threshold must be a positive number") Double threshold,
			JsonNode search, JsonNode committee) {

		public Policy {
			threshold = (threshold != null) ? threshold : 0.25;
		}

	}

	/** How a policy's type is written. */
	public enum PolicyType {

		@JsonProperty("never")
		NEVER(BacktestPolicy.Type.NEVER), @JsonProperty("schedule")
		SCHEDULE(BacktestPolicy.Type.SCHEDULE), @JsonProperty("drift")
		DRIFT(BacktestPolicy.Type.DRIFT), @JsonProperty("fixed-psi")
		FIXED_PSI(BacktestPolicy.Type.FIXED_PSI), @JsonProperty("combined")
		COMBINED(BacktestPolicy.Type.COMBINED);

		final BacktestPolicy.Type type;

		PolicyType(BacktestPolicy.Type type) {
			this.type = type;
		}

	}

	/**
	 * A policy file that cannot be used: every problem, each naming its field (and
	 * policy).
	 */
	public static class Invalid extends IllegalArgumentException {

		private final List<ConfigProblem> problems;

		Invalid(List<ConfigProblem> problems) {
			super("policy file: " + String.join("; ", problems.stream().map(ConfigProblem::toString).toList()));
			this.problems = List.copyOf(problems);
		}

		public List<ConfigProblem> problems() {
			return this.problems;
		}

	}

	/**
	 * Parses and checks a policy file; throws {@link Invalid} with every problem of it.
	 */
	public static PolicyFile parse(String yaml) {
		ConfigBinder.Bound<PolicyFile> bound = BINDER.bind(yaml, PolicyFile.class);
		List<ConfigProblem> problems = new ArrayList<>();
		for (ConfigProblem p : bound.problems()) {
			problems.add(named(bound.value(), p));
		}
		if (bound.value() != null) {
			for (ConfigProblem p : bound.value().rules()) {
				if (!bound.reported(p.field())) {
					problems.add(named(bound.value(), p));
				}
			}
		}
		if (!problems.isEmpty()) {
			throw new Invalid(problems);
		}
		return bound.value();
	}

	/**
	 * The rules that span fields: unique names, dates, and what each type of policy
	 * takes.
	 */
	private List<ConfigProblem> rules() {
		List<ConfigProblem> problems = new ArrayList<>();
		labelDelay(problems);
		date("from", this.from, problems);
		date("to", this.to, problems);
		Set<String> names = new HashSet<>();
		for (int i = 0; this.policies != null && i < this.policies.size(); i++) {
			Policy p = this.policies.get(i);
			if (p == null || p.type() == null) {
				continue;
			}
			String at = "policies[" + i + "]";
			if (p.name() != null && !p.name().isBlank() && !PathSegment.isKey(p.name())) {
				problems.add(new ConfigProblem(at + ".name",
						"must match " + PathSegment.KEY.pattern() + " (letters, digits, '.', '_' and '-'; no '..')"));
			}
			else if (p.name() != null && !names.add(p.name())) {
				problems.add(new ConfigProblem(at + ".name", "the name is used twice"));
			}
			BacktestPolicy.Type type = p.type().type;
			if ((type == BacktestPolicy.Type.SCHEDULE || type == BacktestPolicy.Type.COMBINED) && p.cron() == null) {
				problems.add(new ConfigProblem(at + ".cron", "a schedule needs a cron"));
			}
			if (p.cron() != null && type != BacktestPolicy.Type.NEVER && type != BacktestPolicy.Type.FIXED_PSI) {
				try {
					SimulatedCron.parse(p.cron());
				}
				catch (IllegalArgumentException ex) {
					problems.add(new ConfigProblem(at + ".cron", ex.getMessage()));
				}
			}
			if ((type == BacktestPolicy.Type.DRIFT || type == BacktestPolicy.Type.COMBINED) && p.drift() == null) {
				problems.add(new ConfigProblem(at + ".drift",
						"a " + type.name().toLowerCase() + " policy needs a drift section (as in a pipeline file)"));
			}
			if ((type == BacktestPolicy.Type.NEVER || type == BacktestPolicy.Type.FIXED_PSI)
					&& (p.cron() != null || p.drift() != null)) {
				problems.add(new ConfigProblem(at,
						"a " + type.name().toLowerCase().replace('_', '-') + " policy takes no cron or drift section"));
			}
			if (type == BacktestPolicy.Type.SCHEDULE && p.drift() != null) {
				problems.add(new ConfigProblem(at + ".drift", "a schedule with drift checks is type combined"));
			}
			if (p.search() != null && !p.search().isObject()
					&& !(p.search().isBoolean() && !p.search().booleanValue())) {
				problems.add(new ConfigProblem(at + ".search",
						"is a pipeline file's search section, or false for none (the pipeline's own is kept "
								+ "when the policy says nothing)"));
			}
			if (p.committee() != null && !p.committee().isObject()
					&& !(p.committee().isBoolean() && !p.committee().booleanValue())) {
				problems.add(new ConfigProblem(at + ".committee",
						"is a pipeline file's promotion.committee section, or false for the champion alone (the "
								+ "pipeline's own is kept when the policy says nothing)"));
			}
			if (type == BacktestPolicy.Type.DRIFT && p.cron() != null) {
				problems.add(new ConfigProblem(at + ".cron", "drift checks with a schedule are type combined"));
			}
		}
		return problems;
	}

	/**
	 * {@code label-delay-periods}: a whole number of periods, 0 or more, that leaves the
	 * warm-up some labelled days (read as written: 1.5 is not taken as 1).
	 */
	private void labelDelay(List<ConfigProblem> problems) {
		JsonNode n = this.labelDelayPeriods;
		if (n == null || n.isNull()) {
			return;
		}
		if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
			problems.add(new ConfigProblem(LabelDelay.FIELD, "must be a whole number of periods, 0 or more, was "
					+ (n.isString() ? "'" + n.asString() + "'" : n.toString())));
			return;
		}
		if (this.periodDays >= 1 && this.warmupDays >= 1) {
			String tooLong = LabelDelay.tooLong(n.asInt(), this.periodDays, this.warmupDays);
			if (tooLong != null) {
				problems.add(new ConfigProblem(LabelDelay.FIELD, tooLong));
			}
		}
	}

	/** How many periods late the policies see labels; null when the file does not say. */
	public Integer labelDelay() {
		return (this.labelDelayPeriods == null || this.labelDelayPeriods.isNull()) ? null
				: this.labelDelayPeriods.asInt();
	}

	private static void date(String field, String value, List<ConfigProblem> problems) {
		try {
			if (value != null) {
				LocalDate.parse(value);
			}
		}
		catch (DateTimeParseException ex) {
			problems.add(new ConfigProblem(field, "'" + value + "' is not a date (YYYY-MM-DD)"));
		}
	}

	/** A problem within a policy says which policy, by name where it has one. */
	private static ConfigProblem named(PolicyFile file, ConfigProblem p) {
		if (file == null || file.policies() == null || p.field() == null || !p.field().startsWith("policies[")) {
			return p;
		}
		int i = Integer.parseInt(p.field().substring("policies[".length(), p.field().indexOf(']')));
		Policy policy = (i < file.policies().size()) ? file.policies().get(i) : null;
		return (policy != null && PathSegment.isKey(policy.name()))
				? new ConfigProblem(p.field(), "policy '" + policy.name() + "': " + p.reason()) : p;
	}

	/**
	 * The backtest this file asks for, of a pipeline file's text whose data path resolves
	 * against {@code dataDir}.
	 */
	public Backtester.Request request(String pipelineYaml, Path dataDir, Path workDir) {
		return new Backtester.Request(pipelineYaml, dataDir, workDir,
				(this.from != null) ? LocalDate.parse(this.from) : null,
				(this.to != null) ? LocalDate.parse(this.to) : null, this.periodDays, this.warmupDays, toPolicies(),
				labelDelay());
	}

	/** The policies, as the replay takes them. */
	public List<BacktestPolicy> toPolicies() {
		return this.policies.stream()
			.map(p -> new BacktestPolicy(p.name(), p.type().type, p.cron(),
					(p.drift() != null) ? YAML.writeValueAsString(p.drift()).replaceFirst("^---\\s*\\n", "") : "",
					p.threshold(), section(p.search(), BacktestPolicy.NO_SEARCH), 0,
					section(p.committee(), BacktestPolicy.NO_COMMITTEE)))
			.toList();
	}

	/** A policy's section as YAML, {@code none} when it is false, null when absent. */
	private static String section(JsonNode section, String none) {
		if (section == null) {
			return null;
		}
		return section.isObject() ? YAML.writeValueAsString(section).replaceFirst("^---\\s*\\n", "") : none;
	}

}

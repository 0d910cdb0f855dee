package dev.retrain.jobs.backtest;

import java.time.LocalDate;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.retrain.jobs.pipeline.ConfigProblem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * One case per rule of a policy file: the file that breaks it, the field named, and why.
 */
class PolicyFileTests {

	static Stream<Arguments> rules() {
		return Stream.of(
				arguments("policies required", "period-days: 30\n", "policies", "at least one policy is needed"),
				arguments("policies not empty", "policies: []\n", "policies", "at least one policy is needed"),
				arguments("period days", "period-days: 0\npolicies: [{name: n, type: never}]\n", "period-days",
						"must be >= 1, was 0"),
				arguments("warm-up days", "warmup-days: 0\npolicies: [{name: n, type: never}]\n", "warmup-days",
						"must be >= 1, was 0"),
				arguments("from is a date", "from: 2024-02-30\npolicies: [{name: n, type: never}]\n", "from",
						"'2024-02-30' is not a date"),
				arguments("to is a date", "to: soon\npolicies: [{name: n, type: never}]\n", "to",
						"'soon' is not a date"),
				arguments("a name", "policies: [{type: never}]\n", "policies[0].name", "a policy needs a name"),
				arguments("a name that is not a path", "policies: [{name: ../../../../x/escaped, type: never}]\n",
						"policies[0].name", "must match"),
				arguments("a name without separators", "policies: [{name: a/b, type: never}]\n", "policies[0].name",
						"must match"),
				arguments("a name without a leading dot", "policies: [{name: .hidden, type: never}]\n",
						"policies[0].name", "must match"),
				arguments("a unique name", "policies: [{name: a, type: never}, {name: a, type: never}]\n",
						"policies[1].name", "policy 'a': the name is used twice"),
				arguments("a type", "policies: [{name: a}]\n", "policies[0].type", "policy 'a': type must be one of"),
				arguments("a known type", "policies: [{name: a, type: weekly}]\n", "policies[0].type",
						"policy 'a': 'weekly' is not one of [combined, drift, fixed-psi, never, schedule]"),
				arguments("a schedule's cron", "policies: [{name: s, type: schedule}]\n", "policies[0].cron",
						"policy 's': a schedule needs a cron"),
				arguments("a combined policy's cron", "policies: [{name: c, type: combined, drift: {alpha: 0.01}}]\n",
						"policies[0].cron", "policy 'c': a schedule needs a cron"),
				arguments("a valid cron", "policies: [{name: s, type: schedule, cron: '0 0 0 * *'}]\n",
						"policies[0].cron", "policy 's': policy cron '0 0 0 * *'"),
				arguments("a drift policy's section", "policies: [{name: d, type: drift}]\n", "policies[0].drift",
						"policy 'd': a drift policy needs a drift section"),
				arguments("never takes no cron", "policies: [{name: n, type: never, cron: '0 0 0 1 1 ?'}]\n",
						"policies[0]", "policy 'n': a never policy takes no cron or drift section"),
				arguments("fixed-psi takes no drift", "policies: [{name: p, type: fixed-psi, drift: {alpha: 0.01}}]\n",
						"policies[0]", "policy 'p': a fixed-psi policy takes no cron or drift section"),
				arguments("a schedule with drift is combined",
						"policies: [{name: s, type: schedule, cron: '0 0 0 1 1 ?', drift: {alpha: 0.01}}]\n",
						"policies[0].drift", "policy 's': a schedule with drift checks is type combined"),
				arguments("drift with a cron is combined",
						"policies: [{name: d, type: drift, cron: '0 0 0 1 1 ?', drift: {alpha: 0.01}}]\n",
						"policies[0].cron", "policy 'd': drift checks with a schedule are type combined"),
				arguments("a positive threshold", "policies: [{name: p, type: fixed-psi, threshold: 0}]\n",
						"policies[0].threshold", "policy 'p': threshold must be a positive number, was 0.0"),
				arguments("a finite threshold", "policies: [{name: p, type: fixed-psi, threshold: 1e999}]\n",
						"policies[0].threshold", "policy 'p': must be a finite number"),
				arguments("committee is a section or false",
						"policies: [{name: y, type: schedule, cron: '0 0 0 1 1 ?', committee: 3}]\n",
						"policies[0].committee",
						"policy 'y': is a pipeline file's promotion.committee section, or false for the champion alone"),
				arguments("search is a section or false",
						"policies: [{name: y, type: schedule, cron: '0 0 0 1 1 ?', search: true}]\n",
						"policies[0].search", "policy 'y': is a pipeline file's search section, or false for none"),
				arguments("a label delay of 0 or more", "label-delay-periods: -1\npolicies: [{name: n, type: never}]\n",
						"label-delay-periods", "must be a whole number of periods, 0 or more, was -1"),
				arguments("a label delay in whole periods",
						"label-delay-periods: 1.5\npolicies: [{name: n, type: never}]\n", "label-delay-periods", "1.5"),
				arguments("a label delay that is a number",
						"label-delay-periods: soon\npolicies: [{name: n, type: never}]\n", "label-delay-periods",
						"must be a whole number of periods, 0 or more, was 'soon'"),
				arguments("a label delay that leaves the warm-up labelled",
						"period-days: 30\nwarmup-days: 90\nlabel-delay-periods: 3\npolicies: [{name: n, type: never}]\n",
						"label-delay-periods",
						"3 periods of 30 days (90 days) leave no labelled day of the 90-day warm-up"),
				arguments("unknown field", "policies: [{name: n, type: never, crom: x}]\n", "policies[0].crom",
						"policy 'n': unknown field 'crom'"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("rules")
	void eachRuleNamesItsFieldAndPolicy(String rule, String yaml, String field, String reason) {
		assertThatThrownBy(() -> PolicyFile.parse(yaml)).isInstanceOfSatisfying(PolicyFile.Invalid.class,
				ex -> assertThat(ex.problems()).as(ex.getMessage()).anySatisfy(p -> {
					assertThat(p.field()).isEqualTo(field);
					assertThat(p.reason()).contains(reason);
				}));
	}

	@Test
	void defaultsAndWordsAreReadAsTheReplayTakesThem() {
		PolicyFile f = PolicyFile.parse("""
				from: 2024-01-01
				policies:
				  - {name: n, type: NEVER}
				  - {name: p, type: fixed-psi}
				  - {name: d, type: drift, drift: {alpha: 0.05}}
				""");
		assertThat(f.periodDays()).isEqualTo(30);
		assertThat(f.warmupDays()).isEqualTo(365);
		assertThat(f.toPolicies()).extracting(BacktestPolicy::type)
			.containsExactly(BacktestPolicy.Type.NEVER, BacktestPolicy.Type.FIXED_PSI, BacktestPolicy.Type.DRIFT);
		assertThat(f.toPolicies().get(1).psiThreshold()).isEqualTo(0.25);
		assertThat(f.toPolicies().get(2).driftYaml()).contains("alpha: 0.05");
		assertThat(f.request("name: x", java.nio.file.Path.of("data"), java.nio.file.Path.of("out")).from())
			.isEqualTo(LocalDate.parse("2024-01-01"));
	}

	@Test
	void aLabelDelayIsReplayedAtZeroOneAndItsOwnValueEachOnce() {
		String policies = "policies: [{name: n, type: never}, {name: y, type: schedule, cron: '0 0 0 1 1 ?'}]\n";
		assertThat(PolicyFile.parse("label-delay-periods: 3\n" + policies).labelDelay()).isEqualTo(3);
		assertThat(PolicyFile.parse(policies).labelDelay()).isNull();
		assertThat(LabelDelay.shown(3)).containsExactly(0, 1, 3);
		assertThat(LabelDelay.shown(1)).containsExactly(0, 1);
		assertThat(LabelDelay.shown(0)).containsExactly(0, 1);
		assertThat(LabelDelay.shown(null)).containsExactly(0);
		assertThat(BacktestPlan.atDelays(PolicyFile.parse(policies).toPolicies(), 2))
			.extracting(BacktestPolicy::name, BacktestPolicy::labelDelayPeriods)
			.containsExactly(tuple("n.delay-0", 0), tuple("n.delay-1", 1), tuple("n.delay-2", 2), tuple("y.delay-0", 0),
					tuple("y.delay-1", 1), tuple("y.delay-2", 2));
		// at the decision after a period's last day, labels are known up to N periods
		// before it
		assertThat(new LabelDelay(2, 10).labelsUntil(LocalDate.parse("2024-03-31")))
			.isEqualTo(LocalDate.parse("2024-03-11"));
		assertThat(new LabelDelay(0, 10).labelsUntil(LocalDate.parse("2024-03-31")))
			.isEqualTo(LocalDate.parse("2024-03-31"));
	}

	@Test
	void everyProblemOfAFileComesAtOnce() {
		assertThatThrownBy(
				() -> PolicyFile.parse("period-days: 0\nfrom: x\npolicies: [{name: a, type: weekly}, {type: never}]\n"))
			.isInstanceOfSatisfying(PolicyFile.Invalid.class,
					ex -> assertThat(ex.problems()).extracting(ConfigProblem::field)
						.containsExactlyInAnyOrder("period-days", "from", "policies[0].type", "policies[1].name"));
	}

}

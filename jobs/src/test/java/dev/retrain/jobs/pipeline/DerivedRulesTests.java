package dev.retrain.jobs.pipeline;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.models.features.DerivedFeature;
import dev.retrain.models.features.FeatureSpec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The {@code derived:} section: what loads, and one case per rule, naming the field; a
 * derived feature that would need a label not yet available when a period is scored is
 * refused at load.
 */
class DerivedRulesTests {

	private static final String VALID = PipelineFixtures.yaml("churn", "data/churn", PipelineFixtures.GOOD_MODEL, "");

	private final PipelineLoader loader = new PipelineLoader();

	@Test
	void derivedFeaturesLoadWithTheirDefaultsAfterTheListedFeatures() {
		PipelineDefinition def = this.loader.parse(VALID + """
				derived:
				  - {name: churn_rate, type: label-rate, key: period}
				  - {name: plan_rate, type: label-rate, key: plan, lag-periods: 2, periods: 3}
				  - {name: spend_vs_recent, type: context, of: monthly_spend, stat: mean, periods: 7}
				""", "configs/churn.yaml");

		assertThat(def.derived()).containsExactly(DerivedFeature.labelRate("churn_rate", null, 1, 1),
				DerivedFeature.labelRate("plan_rate", "plan", 2, 3),
				DerivedFeature.context("spend_vs_recent", "monthly_spend", 7));
		assertThat(def.modelFeatures()).hasSize(def.features().size() + 3)
			.endsWith(FeatureSpec.numeric("churn_rate"), FeatureSpec.numeric("plan_rate"),
					FeatureSpec.numeric("spend_vs_recent"));
		assertThat(this.loader.parse(VALID, "configs/churn.yaml").derived()).isEmpty();
	}

	@Test
	void theDefaultLagFollowsTheLabelDelay() {
		PipelineDefinition def = this.loader
			.parse(VALID.replace("  task: binary\n", "  task: binary\n  delay-periods: 2\n")
					+ "derived: [{name: r, type: label-rate}]\n", "configs/churn.yaml");
		assertThat(def.derived().get(0).lagPeriods()).isEqualTo(3);
	}

	static Stream<Arguments> rules() {
		return Stream.of(
				arguments("a lag of 0 needs the period's own labels",
						"derived: [{name: r, type: label-rate, lag-periods: 0}]", "derived[0].lag-periods",
						"must be at least 1, was 0: the label of a period is known only once it ends"),
				arguments("a lag within the label delay", "derived: [{name: r, type: label-rate, lag-periods: 2}]",
						"derived[0].lag-periods",
						"must be at least 3, was 2: the label of a period is known 2 period(s) after it ends (label.delay-periods)"),
				arguments("a negative lag", "derived: [{name: r, type: label-rate, lag-periods: -1}]",
						"derived[0].lag-periods", "must be at least 1, was -1"),
				arguments("a type", "derived: [{name: r}]", "derived[0].type", "is required (label-rate or context)"),
				arguments("a type is a word", "derived: [{name: r, type: rate}]", "derived[0].type",
						"'rate' is not one of"),
				arguments("a name", "derived: [{type: label-rate}]", "derived[0].name", "is required"),
				arguments("a feature's name", "derived: [{name: plan, type: label-rate}]", "derived[0].name",
						"'plan' is already a feature's or a derived feature's name"),
				arguments("the label's name", "derived: [{name: churned, type: label-rate}]", "derived[0].name",
						"'churned' is the label column"),
				arguments("a key that is not a feature", "derived: [{name: r, type: label-rate, key: slot}]",
						"derived[0].key", "'slot' must be 'period' (the overall rate) or a listed feature"),
				arguments("periods", "derived: [{name: r, type: label-rate, periods: 0}]", "derived[0].periods",
						"must be >= 1"),
				arguments("context of", "derived: [{name: c, type: context}]", "derived[0].of", "is required"),
				arguments("context of a categorical", "derived: [{name: c, type: context, of: plan}]", "derived[0].of",
						"'plan' must be a numeric feature"),
				arguments("context with a lag", "derived: [{name: c, type: context, of: sessions, lag-periods: 1}]",
						"derived[0]", "key and lag-periods only apply to label-rate features"),
				arguments("a stat is a word", "derived: [{name: c, type: context, of: sessions, stat: median}]",
						"derived[0].stat", "'median' is not one of [mean]"),
				arguments("a rate with of", "derived: [{name: r, type: label-rate, of: sessions}]", "derived[0]",
						"of and stat only apply to context features"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("rules")
	void eachRuleNamesItsField(String rule, String derived, String field, String reason) {
		String yaml = (rule.contains("label delay")
				? VALID.replace("  task: binary\n", "  task: binary\n  delay-periods: 2\n") : VALID) + derived + "\n";
		assertThatThrownBy(() -> this.loader.parse(yaml, "configs/churn.yaml")).isInstanceOfSatisfying(
				PipelineConfigInvalid.class, ex -> assertThat(ex.problems()).as(ex.getMessage()).anySatisfy(p -> {
					assertThat(p.field()).isEqualTo(field);
					assertThat(p.reason()).contains(reason);
				}));
	}

	@Test
	void aLabelRateOfAMulticlassLabelIsRefused() {
		String yaml = VALID.replace("task: binary", "task: multiclass").replace("  classes: [\"0\", \"1\"]\n", "")
				+ "derived: [{name: r, type: label-rate}]\n";
		assertThatThrownBy(() -> this.loader.parse(yaml, "configs/churn.yaml"))
			.isInstanceOfSatisfying(PipelineConfigInvalid.class, ex -> assertThat(ex.problems()).anySatisfy(p -> {
				assertThat(p.field()).isEqualTo("derived[0].type");
				assertThat(p.reason()).contains("not a multiclass one");
			}));
	}

}

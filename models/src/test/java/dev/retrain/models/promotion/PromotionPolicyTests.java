package dev.retrain.models.promotion;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.retrain.models.json.Json;
import dev.retrain.models.metrics.Metric;
import dev.retrain.models.promotion.PromotionDecision.Outcome;

import static org.assertj.core.api.Assertions.assertThat;

class PromotionPolicyTests {

	PromotionPolicy policy = new PromotionPolicy(Metric.ROC_AUC, 0.6, 0.01, false,
			List.of(new Guard(Metric.LOG_LOSS, 0.02)), new SliceRule("region", 0.05, 10),
			FirstRun.PROMOTE_IF_MIN_VALUE);

	@Test
	void firstRunPromotesWhenMinimumIsMet() {
		PromotionDecision d = this.policy.decide(new Comparison(Map.of("roc_auc", 0.7), null, null, null, Map.of()));
		assertThat(d.outcome()).isEqualTo(Outcome.PROMOTE);
		assertThat(d.summary()).contains("no champion yet");
	}

	@Test
	void firstRunBelowMinimumIsRejected() {
		PromotionDecision d = this.policy.decide(new Comparison(Map.of("roc_auc", 0.55), null, null, null, Map.of()));
		assertThat(d.outcome()).isEqualTo(Outcome.REJECT);
		assertThat(d.summary()).contains("does not meet the minimum 0.6000");
	}

	@Test
	void improvementBelowTheRequiredMarginIsRejected() {
		PromotionDecision d = this.policy.decide(new Comparison(Map.of("roc_auc", 0.805, "log_loss", 0.4),
				Map.of("roc_auc", 0.8, "log_loss", 0.4), 3, null, Map.of()));
		assertThat(d.outcome()).isEqualTo(Outcome.REJECT);
		assertThat(d.summary()).contains("vs champion v3").contains("does not meet the required improvement");
	}

	@Test
	void guardAndSliceRegressionsBlockAnOtherwiseBetterCandidate() {
		Comparison guardBroken = new Comparison(Map.of("roc_auc", 0.85, "log_loss", 0.5),
				Map.of("roc_auc", 0.8, "log_loss", 0.4), 1, null, Map.of());
		assertThat(this.policy.decide(guardBroken).summary()).contains("guard log_loss").contains("exceeds");

		Comparison sliceBroken = new Comparison(Map.of("roc_auc", 0.85, "log_loss", 0.4),
				Map.of("roc_auc", 0.8, "log_loss", 0.4), 1, null, Map.of("north",
						new Comparison.SliceResult(50, 0.6, 0.8), "tiny", new Comparison.SliceResult(3, 0.1, 0.9)));
		PromotionDecision d = this.policy.decide(sliceBroken);
		assertThat(d.outcome()).isEqualTo(Outcome.REJECT);
		assertThat(d.summary()).contains("slice region=north");
		assertThat(d.reasons()).noneMatch(r -> r.contains("tiny"));
	}

	@Test
	void betterCandidateIsPromotedAndLowerIsBetterMetricsWork() {
		PromotionPolicy byLoss = new PromotionPolicy(Metric.LOG_LOSS, null, 0.05, true, List.of(), null, null);
		PromotionDecision d = byLoss
			.decide(new Comparison(Map.of("log_loss", 0.3), Map.of("log_loss", 0.4), 2, null, null));
		assertThat(d.outcome()).isEqualTo(Outcome.PROMOTE);
		assertThat(byLoss.decide(new Comparison(Map.of("log_loss", 0.39), Map.of("log_loss", 0.4), 2, null, null))
			.outcome()).isEqualTo(Outcome.REJECT);
	}

	@Test
	void withAToleranceAFresherModelWinsUnlessItIsClearlyWorse() {
		PromotionPolicy fresh = new PromotionPolicy(Metric.ACCURACY, null, 0.0, false, List.of(), null, null, 0.02);
		assertThat(fresh.decide(new Comparison(Map.of("accuracy", 0.79), Map.of("accuracy", 0.80), 4, null, null))
			.outcome()).isEqualTo(Outcome.PROMOTE);
		PromotionDecision worse = fresh
			.decide(new Comparison(Map.of("accuracy", 0.75), Map.of("accuracy", 0.80), 4, null, null));
		assertThat(worse.outcome()).isEqualTo(Outcome.REJECT);
		assertThat(worse.summary()).contains("beyond the tolerance of -0.0200");
	}

	@Test
	void withAPairedTestTheIntervalNotThePointValuesDecides() {
		PairedTest test = new PairedTest(PairedTest.Method.PAIRED_BOOTSTRAP, 0.95, 0.0, 1000, 1L);
		PromotionPolicy gated = new PromotionPolicy(Metric.ROC_AUC, null, 0.0, false, List.of(), null, null, 0.0, test);
		PairedTestResult noisy = new PairedTestResult("paired-bootstrap", "roc_auc", "candidate - champion", 0.95, 0.0,
				1000, 5000, null, 0.0031, -0.0012, 0.0074, 0.21);
		PairedTestResult clear = new PairedTestResult("paired-bootstrap", "roc_auc", "candidate - champion", 0.95, 0.0,
				1000, 5000, null, 0.0131, 0.0052, 0.0204, 0.0);

		PromotionDecision rejected = gated
			.decide(new Comparison(Map.of("roc_auc", 0.7131), Map.of("roc_auc", 0.71), 3, null, null, noisy));
		PromotionDecision promoted = gated
			.decide(new Comparison(Map.of("roc_auc", 0.7231), Map.of("roc_auc", 0.71), 3, null, null, clear));
		PromotionDecision untested = gated
			.decide(new Comparison(Map.of("roc_auc", 0.7231), Map.of("roc_auc", 0.71), 3, null, null, null));

		assertThat(rejected.outcome()).isEqualTo(Outcome.REJECT);
		assertThat(rejected.summary()).isEqualTo("rejected: roc_auc 0.7131 vs champion v3 0.7100: "
				+ "roc_auc difference +0.0031, 95% interval [-0.0012, +0.0074] includes 0: "
				+ "the candidate's win may be noise (paired bootstrap, 1000 resamples of 5000 rows)");
		assertThat(promoted.outcome()).isEqualTo(Outcome.PROMOTE);
		assertThat(promoted.summary()).contains("[+0.0052, +0.0204] excludes 0");
		assertThat(untested.outcome()).isEqualTo(Outcome.REJECT);
		assertThat(untested.summary()).contains("could not be tested");
	}

	@Test
	void theTestsMethodReadsInJsonAsInThePipelineFile() {
		PairedTest test = new PairedTest(PairedTest.Method.PAIRED_BOOTSTRAP, 0.95, 0, 1000, 7);
		String json = Json.MAPPER.writeValueAsString(test);
		assertThat(json).contains("\"paired-bootstrap\"").doesNotContain("PAIRED_BOOTSTRAP");
		assertThat(Json.MAPPER.readValue(json, PairedTest.class)).isEqualTo(test);
	}

}

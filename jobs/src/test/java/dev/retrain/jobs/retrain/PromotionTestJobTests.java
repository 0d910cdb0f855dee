package dev.retrain.jobs.retrain;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.json.Json;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.WEAK_MODEL;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code promotion.test}: the candidate must beat the champion on the same holdout rows
 * beyond noise, not only in its point value.
 */
class PromotionTestJobTests extends RetrainTestSupport {

	/**
	 * On this data, a second good model with this seed has a roc_auc a little above the
	 * first's (+0.0123 on 594 holdout rows; the test checks that it is above).
	 */
	private static final long SEED_WITH_A_SMALL_WIN = 8;

	private static final String TEST = "  test: {method: paired-bootstrap, confidence: 0.95, resamples: 500}\n";

	private static String gated(String name, String model) {
		return yaml(name, name, model, "").replace("  guards:\n", TEST + "  guards:\n");
	}

	/** A good model with another seed: as good as the first, give or take noise. */
	private static String goodModelSeed(long seed) {
		return GOOD_MODEL.replace("seed: 7", "seed: " + seed);
	}

	@Test
	void theGateRefusesACandidateThatWinsByNoise() {
		sampleData(DATA_DIR, "noise", 150, 4);
		definePipeline("noise", gated("noise", GOOD_MODEL));
		RunRecord first = run("noise", LAST, null);
		assertThat(first.decision()).as(first.failureReason()).isEqualTo(Decision.PROMOTE);

		// the same data and settings but another initialisation: a point value a little
		// above the champion's
		definePipeline("noise", gated("noise", goodModelSeed(SEED_WITH_A_SMALL_WIN)));
		RunRecord second = run("noise", LAST, null);

		assertThat(second.status()).as(second.failureReason()).isEqualTo("COMPLETED");
		JsonNode details = Json.MAPPER.readTree(second.details());
		double candidate = details.at("/evaluation/candidate/recent/roc_auc").asDouble();
		double champion = details.at("/evaluation/champion/recent/roc_auc").asDouble();
		assertThat(candidate).as("the candidate wins on the point value").isGreaterThanOrEqualTo(champion);
		assertThat(second.decision()).as(second.decisionSummary()).isEqualTo(Decision.REJECT);
		assertThat(second.decisionSummary()).contains("roc_auc difference +")
			.contains("95% interval [-")
			.contains("includes 0: the candidate's win may be noise")
			.contains("paired bootstrap, 500 resamples of");
		JsonNode test = details.at("/decision/test");
		assertThat(test.path("method").asString()).isEqualTo("paired-bootstrap");
		assertThat(test.path("difference").asDouble()).isCloseTo(candidate - champion,
				org.assertj.core.api.Assertions.within(1e-9));
		assertThat(test.path("lower").asDouble()).isNegative();
		assertThat(test.path("upper").asDouble()).isPositive();
		assertThat(test.path("rows").asInt()).isEqualTo(details.at("/evaluation/candidate/recent/rows").asInt());
		assertThat(details.at("/evaluation/test")).isEqualTo(test);
		assertThat(this.registry.champion("noise")).contains(1);

		// without the test, the same candidate (trained again, bit for bit) wins on its
		// point value, as before
		definePipeline("noise", yaml("noise", "noise", goodModelSeed(SEED_WITH_A_SMALL_WIN), ""));
		RunRecord ungated = run("noise", LAST, null);
		assertThat(ungated.decision()).as(ungated.decisionSummary()).isEqualTo(Decision.PROMOTE);
		assertThat(ungated.decisionSummary()).doesNotContain("interval");
		assertThat(Json.MAPPER.readTree(ungated.details()).at("/decision").has("test")).isFalse();
	}

	@Test
	void aCandidateThatClearlyWinsPassesTheGate() {
		sampleData(DATA_DIR, "clear", 150, 2);
		definePipeline("clear", gated("clear", WEAK_MODEL));
		RunRecord weak = run("clear", LAST, null);
		assertThat(weak.decision()).as(weak.failureReason()).isEqualTo(Decision.PROMOTE);

		definePipeline("clear", gated("clear", GOOD_MODEL));
		RunRecord good = run("clear", LAST, null);

		assertThat(good.decision()).as(good.decisionSummary()).isEqualTo(Decision.PROMOTE);
		assertThat(good.decisionSummary()).contains("excludes 0: the candidate is better beyond noise");
		JsonNode test = Json.MAPPER.readTree(good.details()).at("/decision/test");
		assertThat(test.path("lower").asDouble()).isPositive();
		assertThat(this.registry.champion("clear")).contains(2);
	}

}

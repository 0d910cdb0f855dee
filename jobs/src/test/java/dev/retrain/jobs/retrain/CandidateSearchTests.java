package dev.retrain.jobs.retrain;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.json.Json;
import dev.retrain.models.search.SearchResult;
import dev.retrain.models.store.ArtifactMetadata;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retrain with a {@code search:} trains every candidate on its window less the newest
 * days, scores each there, trains the winner on its whole window, and records them all;
 * the same seed chooses the same winner; the champion fine-tuned is one more candidate
 * once there is a champion.
 */
class CandidateSearchTests extends RetrainTestSupport {

	static final String SEARCH = """
			search:
			  selection-days: 3
			  windows-days: [9, 20]
			  learning-rate: [0.01, 0.05]
			  fine-tune: true
			  max-candidates: 5""";

	@Test
	void everyCandidateIsScoredOnTheNewestDaysAndTheBestOneTrainedOnItsWholeWindowIsRecorded() {
		sampleData(DATA_DIR, "searched", 150, 5);
		definePipeline("searched", yaml("searched", "searched", GOOD_MODEL, SEARCH));

		RunRecord first = run("searched", LAST, "first");
		assertThat(first.status()).as(first.failureReason()).isEqualTo("COMPLETED");
		SearchResult search = Json.MAPPER.convertValue(details(first).get("search"), SearchResult.class);

		assertThat(search.metric()).isEqualTo("roc_auc");
		assertThat(search.candidates()).hasSize(5);
		// about 150 rows a day
		assertThat(search.selectionRows()).isBetween(3 * 100L, 3 * 200L);
		List<SearchResult.Tried> scratch = search.candidates().subList(0, 4);
		assertThat(scratch).allSatisfy(t -> {
			assertThat(t.failed()).isNull();
			assertThat(t.score()).isBetween(0.0, 1.0);
		});
		// windows of 9 and 20 days, less the out-of-time holdout's 4 and the selection's
		// 3: 2 and 13 days of the same data
		assertThat(scratch.get(0).trainRows()).isEqualTo(scratch.get(1).trainRows()).isPositive();
		assertThat(scratch.get(2).trainRows()).isEqualTo(scratch.get(3).trainRows());
		assertThat((double) scratch.get(2).trainRows() / scratch.get(0).trainRows()).isBetween(4.0, 9.0);
		// no champion yet: the fine-tuning candidate is recorded as not tried, and why
		assertThat(search.candidates().get(4).settings().fineTune()).isTrue();
		assertThat(search.candidates().get(4).failed()).contains("no champion yet");
		SearchResult.Tried best = scratch.stream()
			.max(java.util.Comparator.comparingDouble(SearchResult.Tried::score))
			.orElseThrow();
		assertThat(search.winner()).isEqualTo(best.settings().index());

		// the winner trained again on its whole window, the selection days included
		long windowRows = best.trainRows() + search.selectionRows();
		assertThat(details(first).at("/trainingData/rows").asLong()).isEqualTo(windowRows);
		ArtifactMetadata meta = this.store.metadata("searched", first.candidateVersion());
		assertThat(meta.search()).isEqualTo(search);
		assertThat(meta.modeReason()).startsWith("search: candidate " + (search.winner() + 1) + " of 5 won");
		assertThat(meta.hyperparameters().learningRate()).isEqualTo(best.settings().learningRate());
		assertThat((long) meta.training().trainRows()).isLessThanOrEqualTo(windowRows);

		// the same data and seed, another run: the same scores and the same winner; and
		// with a champion now, the fine-tuning candidate is trained and scored too
		RunRecord second = run("searched", LAST, "second");
		assertThat(second.status()).as(second.failureReason()).isEqualTo("COMPLETED");
		SearchResult again = Json.MAPPER.convertValue(details(second).get("search"), SearchResult.class);
		assertThat(again.candidates().subList(0, 4)).extracting(SearchResult.Tried::score)
			.containsExactlyElementsOf(scratch.stream().map(SearchResult.Tried::score).toList());
		SearchResult.Tried fineTuned = again.candidates().get(4);
		assertThat(fineTuned.failed()).isNull();
		assertThat(fineTuned.score()).isBetween(0.0, 1.0);
		assertThat(again.winner()).isIn(search.winner(), 4);
	}

	private JsonNode details(RunRecord run) {
		return Json.MAPPER.readTree(this.runs.find(run.runId()).orElseThrow().details());
	}

	@Test
	void dataTooShortToHoldOutTheSelectionDaysTrainsTheModelsOwnSettingsAndSaysWhy() {
		sampleData(DATA_DIR, "young", 150, 6);
		definePipeline("young", yaml("young", "young", GOOD_MODEL, SEARCH));

		// 20 days of data end at LAST: as of 14 days earlier there are 6, the newest 4
		// of them the out-of-time holdout's, and 2 days of training data cannot spare 3
		RunRecord run = run("young", LAST.minusDays(14), "young");

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		SearchResult search = Json.MAPPER.convertValue(details(run).get("search"), SearchResult.class);
		assertThat(search.candidates()).isEmpty();
		assertThat(search.notSearched()).startsWith("the training data spans 2 days")
			.contains("the model's own settings trained");
		ArtifactMetadata meta = this.store.metadata("young", run.candidateVersion());
		assertThat(meta.modeReason()).doesNotContain("search");
		assertThat(meta.hyperparameters().learningRate()).isEqualTo(0.01);
	}

}

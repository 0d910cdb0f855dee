package dev.retrain.orchestrator.console;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.retrain.models.json.Json;
import dev.retrain.models.promotion.PairedTestResult;
import dev.retrain.models.search.CandidateSettings;
import dev.retrain.models.search.SearchResult;

import static org.assertj.core.api.Assertions.assertThat;

class RunEvaluationTests {

	/**
	 * A run's details as the job records them (its sections serialised by the same
	 * mapper).
	 */
	static JsonNode details(SearchResult search) {
		Map<String, Object> details = new java.util.LinkedHashMap<>();
		details.put("evaluation", Map.of("primaryHoldout", "recent", "candidate",
				Map.of("recent", Map.of("roc_auc", 0.81)), "slices", Map.of()));
		details.put("decision", Map.of("outcome", "PROMOTE", "reasons", List.of("no champion yet")));
		if (search != null) {
			details.put("search", search);
		}
		return Json.MAPPER.valueToTree(details);
	}

	@Test
	void aSearchsCandidatesAreListedWithTheWinnerMarkedAndTheUntriedSayingWhy() {
		SearchResult search = new SearchResult("roc_auc", "grid", 7, 3, 450,
				List.of(new SearchResult.Tried(new CandidateSettings(0, 9, List.of(16), 0.01, 0.0, 6, false), 341, 6, 6,
						0.78, 0.4, null),
						new SearchResult.Tried(new CandidateSettings(1, 20, List.of(16), 0.05, 0.0, 6, false), 1950, 6,
								5, 0.83, 0.9, null),
						new SearchResult.Tried(new CandidateSettings(2, 9, List.of(), 0.001, 0.0, 2, true), 0, 0, 0,
								Double.NaN, 0, "no champion yet")),
				1, 0, null);

		RunEvaluation e = RunEvaluation.from(details(search), "roc_auc");

		assertThat(e.candidates()).hasSize(3);
		assertThat(e.candidates().get(1).winner()).isTrue();
		assertThat(e.candidates().get(1).settings())
			.isEqualTo("20 days, hidden [16], lr 0.05, weight decay 0.0, 6 epochs");
		assertThat(e.candidates().get(1).score()).isEqualTo(0.83);
		assertThat(e.candidates().get(2).settings()).isEqualTo("the champion fine-tuned on 9 days");
		assertThat(e.candidates().get(2).score()).isNull();
		assertThat(e.candidates().get(2).failed()).isEqualTo("no champion yet");
		assertThat(e.searchNote()).isNull();
	}

	@Test
	void withoutASearchThereAreNoCandidatesAndASkippedSearchSaysWhy() {
		assertThat(RunEvaluation.from(details(null), "roc_auc").candidates()).isEmpty();
		SearchResult skipped = new SearchResult("roc_auc", "grid", 7, 3, 0, List.of(), -1, 0,
				"the training data spans 2 days");
		assertThat(RunEvaluation.from(details(skipped), "roc_auc").searchNote())
			.isEqualTo("the training data spans 2 days");
	}

	@Test
	void thePromotionTestIsOneLineWithTheIntervalAndNullWithoutOne() {
		PairedTestResult test = new PairedTestResult("paired-bootstrap", "roc_auc", "candidate - champion", 0.95, 0.0,
				500, 594, null, 0.0123, -0.0047, 0.0299, 0.09);
		Map<String, Object> details = new java.util.LinkedHashMap<>();
		details.put("evaluation", Map.of("primaryHoldout", "recent", "candidate",
				Map.of("recent", Map.of("roc_auc", 0.6912)), "slices", Map.of(), "test", test));
		details.put("decision", Map.of("outcome", "REJECT", "reasons", List.of("..."), "test", test));

		RunEvaluation e = RunEvaluation.from(Json.MAPPER.valueToTree(details), "roc_auc");

		assertThat(e.test()).isEqualTo("roc_auc difference +0.0123, 95% interval [-0.0047, +0.0299], margin +0.0000 "
				+ "(paired-bootstrap, 500 resamples of 594 rows; difference = candidate - champion)");
		assertThat(RunEvaluation.from(details(null), "roc_auc").test()).isNull();
	}

}

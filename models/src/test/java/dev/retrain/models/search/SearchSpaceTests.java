package dev.retrain.models.search;

import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.retrain.models.search.SearchSpace.Strategy;

import static org.assertj.core.api.Assertions.assertThat;

class SearchSpaceTests {

	static SearchSpace space(Strategy strategy, long seed, int max, boolean fineTune) {
		return new SearchSpace(List.of(365, 730, 1825), List.of(List.of(16), List.of(32, 16)), List.of(0.005, 0.01),
				List.of(0.001), List.of(60), fineTune, 0.001, 5, strategy, seed, max);
	}

	@Test
	void aGridIsEveryCombinationWindowsOutermostThenTheFineTuningCandidateOnTheShortestWindow() {
		List<CandidateSettings> c = space(Strategy.GRID, 7, 13, true).candidates();

		assertThat(c).hasSize(13);
		assertThat(c.get(0)).isEqualTo(new CandidateSettings(0, 365, List.of(16), 0.005, 0.001, 60, false));
		assertThat(c.get(1)).isEqualTo(new CandidateSettings(1, 365, List.of(16), 0.01, 0.001, 60, false));
		assertThat(c.get(2).hiddenLayers()).containsExactly(32, 16);
		assertThat(c.get(11).windowDays()).isEqualTo(1825);
		assertThat(c.get(12)).isEqualTo(new CandidateSettings(12, 365, List.of(), 0.001, 0.0, 5, true));
		assertThat(c).extracting(CandidateSettings::index)
			.containsExactlyElementsOf(java.util.stream.IntStream.range(0, 13).boxed().toList());
	}

	@Test
	void randomDrawsDistinctCombinationsWithinTheBudgetAndTheSameSeedDrawsTheSame() {
		List<CandidateSettings> a = space(Strategy.RANDOM, 7, 5, true).candidates();
		List<CandidateSettings> again = space(Strategy.RANDOM, 7, 5, true).candidates();
		List<CandidateSettings> other = space(Strategy.RANDOM, 8, 5, true).candidates();

		assertThat(a).hasSize(5).isEqualTo(again);
		assertThat(a.get(4).fineTune()).isTrue();
		assertThat(new HashSet<>(a.subList(0, 4).stream().map(CandidateSettings::describe).toList())).hasSize(4);
		assertThat(other).isNotEqualTo(a);
	}

	@Test
	void aBudgetLargerThanTheSpaceTakesItAll() {
		assertThat(space(Strategy.RANDOM, 7, 100, false).candidates()).hasSize(12);
		assertThat(space(Strategy.GRID, 7, 100, false).combinations()).isEqualTo(12);
	}

}

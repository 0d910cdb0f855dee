package dev.retrain.models.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The candidates a retrain tries: every combination of the listed values (grid), or
 * {@code maxCandidates} of them drawn without replacement with {@code seed} (random), and
 * the champion fine-tuned on the shortest window as one more when {@code fineTune}. The
 * same space and seed give the same candidates in the same order.
 *
 * @param windowsDays training windows, days back from the run's date
 * @param hiddenLayers network shapes (an empty list: a linear model)
 * @param learningRates Adam's learning rates
 * @param weightDecays L2 weight decays
 * @param epochs epoch limits
 * @param fineTune also try the champion fine-tuned ({@code fineTuneLearningRate},
 * {@code fineTuneEpochs})
 * @param fineTuneLearningRate the fine-tuning candidate's learning rate
 * @param fineTuneEpochs the fine-tuning candidate's epochs
 * @param strategy grid or random
 * @param seed the random strategy's draw
 * @param maxCandidates how many candidates at most (the fine-tuning one included)
 */
public record SearchSpace(List<Integer> windowsDays, List<List<Integer>> hiddenLayers, List<Double> learningRates,
		List<Double> weightDecays, List<Integer> epochs, boolean fineTune, double fineTuneLearningRate,
		int fineTuneEpochs, Strategy strategy, long seed, int maxCandidates) {

	/** How candidates are chosen from the combinations. */
	public enum Strategy {

		GRID, RANDOM

	}

	/** How many combinations the lists make (the fine-tuning candidate not counted). */
	public long combinations() {
		return (long) this.windowsDays.size() * this.hiddenLayers.size() * this.learningRates.size()
				* this.weightDecays.size() * this.epochs.size();
	}

	/** The candidates, in the order they are trained (and ties are broken). */
	public List<CandidateSettings> candidates() {
		int scratch = (int) Math.min(combinations(), this.maxCandidates - (this.fineTune ? 1 : 0));
		List<int[]> all = new ArrayList<>();
		for (int w = 0; w < this.windowsDays.size(); w++) {
			for (int h = 0; h < this.hiddenLayers.size(); h++) {
				for (int l = 0; l < this.learningRates.size(); l++) {
					for (int d = 0; d < this.weightDecays.size(); d++) {
						for (int e = 0; e < this.epochs.size(); e++) {
							all.add(new int[] { w, h, l, d, e });
						}
					}
				}
			}
		}
		List<int[]> chosen;
		if (this.strategy == Strategy.RANDOM && all.size() > scratch) {
			Random random = new Random(this.seed);
			for (int i = all.size() - 1; i > 0; i--) {
				int j = random.nextInt(i + 1);
				int[] t = all.get(i);
				all.set(i, all.get(j));
				all.set(j, t);
			}
			chosen = all.subList(0, scratch);
		}
		else {
			chosen = all.subList(0, Math.max(0, scratch));
		}
		List<CandidateSettings> out = new ArrayList<>();
		for (int[] c : chosen) {
			out.add(new CandidateSettings(out.size(), this.windowsDays.get(c[0]), this.hiddenLayers.get(c[1]),
					this.learningRates.get(c[2]), this.weightDecays.get(c[3]), this.epochs.get(c[4]), false));
		}
		if (this.fineTune) {
			int shortest = this.windowsDays.stream().mapToInt(Integer::intValue).min().orElseThrow();
			out.add(new CandidateSettings(out.size(), shortest, List.of(), this.fineTuneLearningRate, 0.0,
					this.fineTuneEpochs, true));
		}
		return out;
	}

}

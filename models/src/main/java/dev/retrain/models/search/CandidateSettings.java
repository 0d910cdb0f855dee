package dev.retrain.models.search;

import java.util.List;
import java.util.Locale;

/**
 * One candidate of a retrain's search: the training window (days back from the run's
 * date), the network's hidden layers, and the optimiser's settings; or, with
 * {@code fineTune}, the champion fine-tuned on the window with the pipeline's fine-tuning
 * settings.
 *
 * @param index the candidate's position in the search, from 0
 * @param windowDays days of data it trains on, ending at the run's date
 * @param hiddenLayers widths of the hidden layers (empty: a linear model)
 * @param learningRate Adam's learning rate
 * @param weightDecay L2 weight decay
 * @param epochs at most this many epochs (early stopping may end sooner)
 * @param fineTune warm-started from the champion rather than trained from scratch
 */
public record CandidateSettings(int index, int windowDays, List<Integer> hiddenLayers, double learningRate,
		double weightDecay, int epochs, boolean fineTune) {

	public CandidateSettings {
		hiddenLayers = List.copyOf(hiddenLayers);
	}

	/** The settings in words, for logs and reports. */
	public String describe() {
		return this.fineTune
				? String.format(Locale.ROOT, "fine-tune the champion on %d days (lr %s, %d epochs)", this.windowDays,
						this.learningRate, this.epochs)
				: String.format(Locale.ROOT, "%d days, hidden %s, lr %s, weight decay %s, %d epochs", this.windowDays,
						this.hiddenLayers, this.learningRate, this.weightDecay, this.epochs);
	}

}

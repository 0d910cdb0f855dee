package dev.retrain.models.search;

import java.util.List;

/**
 * What a retrain's search tried and chose: every candidate with its score on the
 * selection rows (the newest days of the window, held out from all of them), and the
 * winner, which was then trained again on its whole window, selection days included.
 *
 * @param metric the promotion policy's metric, which chose
 * @param strategy grid or random
 * @param seed the random draw, and every candidate's training seed
 * @param selectionDays the newest days held out for the choice
 * @param selectionRows how many rows they held
 * @param candidates each candidate tried, in order
 * @param winner the index of the chosen one
 * @param skipped candidates not trained because the time budget was spent
 * @param notSearched why there was no search this time (the data was too short to hold
 * out the selection days and train on the rest: the model's own settings trained), or
 * null
 */
public record SearchResult(String metric, String strategy, long seed, int selectionDays, long selectionRows,
		List<Tried> candidates, int winner, int skipped, String notSearched) {

	/**
	 * One candidate: its settings, the rows it trained on, how training went, its score
	 * on the selection rows, and the seconds it took.
	 */
	public record Tried(CandidateSettings settings, long trainRows, int epochsRun, int bestEpoch, double score,
			double seconds, String failed) {
	}

}

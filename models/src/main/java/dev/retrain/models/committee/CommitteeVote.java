package dev.retrain.models.committee;

import java.util.ArrayList;
import java.util.List;

import dev.retrain.models.dataset.Table;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.store.ModelArtifact;

/**
 * The committee's prediction, the weighted vote of its members: for binary classification
 * the weighted mean of the members' probabilities of the positive class, for multiclass
 * the weighted mean of each class's probability (so the vote's probabilities still sum to
 * 1), for regression the weighted mean of the values. The weights sum to 1.
 */
public final class CommitteeVote {

	private CommitteeVote() {
	}

	/**
	 * The weighted vote of the members' predictions of the same rows ({@code weights} in
	 * the members' order).
	 */
	public static Predictions vote(List<Predictions> members, double[] weights) {
		if (members.isEmpty() || members.size() != weights.length) {
			throw new IllegalArgumentException("a vote needs one weight per member: " + members.size() + " members, "
					+ weights.length + " weights");
		}
		Predictions first = members.get(0);
		double[] out = new double[first.scores().length];
		for (int m = 0; m < members.size(); m++) {
			Predictions p = members.get(m);
			if (p.task() != first.task() || p.classes() != first.classes() || p.scores().length != out.length) {
				throw new IllegalArgumentException("committee members disagree on the task, classes or rows: "
						+ first.task() + "/" + first.classes() + " and " + p.task() + "/" + p.classes());
			}
			double w = weights[m];
			if (w == 0) {
				continue;
			}
			double[] s = p.scores();
			for (int i = 0; i < out.length; i++) {
				out[i] += w * s[i];
			}
		}
		return new Predictions(first.task(), first.classes(), out);
	}

	/**
	 * The committee's prediction of a table: each member with a weight above 0 scores it
	 * with its own encoders and network, and the scores are voted (a member with weight 0
	 * adds nothing and is not run).
	 */
	public static Predictions predict(List<ModelArtifact> members, double[] weights, Table table) {
		List<Predictions> scored = new ArrayList<>();
		List<Double> kept = new ArrayList<>();
		for (int m = 0; m < members.size(); m++) {
			if (weights[m] > 0) {
				scored.add(members.get(m).predict(table));
				kept.add(weights[m]);
			}
		}
		return vote(scored, kept.stream().mapToDouble(Double::doubleValue).toArray());
	}

}

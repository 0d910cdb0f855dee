package dev.retrain.models.promotion;

import java.util.List;

/** The policy's verdict, with reasons a person can read. */
public record PromotionDecision(Outcome outcome, String summary, List<String> reasons) {

	public enum Outcome {

		PROMOTE, REJECT, HOLD

	}

	public boolean promote() {
		return this.outcome == Outcome.PROMOTE;
	}

}

package dev.retrain.jobs.registry;

import dev.retrain.models.promotion.PromotionDecision;

/**
 * Where a registered version stands after its run: the promotion policy's verdict, or
 * what became of a winning verdict on registration (waiting for a person, or beaten to
 * the champion alias by another move).
 */
public enum Decision {

	/** The policy said promote, and the run made it champion. */
	PROMOTE(true),

	/** The policy said no; making it champion is a forced promotion. */
	REJECT(false),

	/** The policy held it for a person; making it champion is a forced promotion. */
	HOLD(false),

	/** The policy said promote, and the pipeline wants a person's approval first. */
	PENDING(true),

	/**
	 * The policy said promote, but the champion moved after this version was evaluated.
	 */
	CONFLICT(true);

	private final boolean passedPolicy;

	Decision(boolean passedPolicy) {
		this.passedPolicy = passedPolicy;
	}

	/**
	 * Whether the promotion policy accepted the version (it may be promoted without
	 * force).
	 */
	public boolean passedPolicy() {
		return this.passedPolicy;
	}

	public static Decision of(PromotionDecision.Outcome outcome) {
		return switch (outcome) {
			case PROMOTE -> PROMOTE;
			case REJECT -> REJECT;
			case HOLD -> HOLD;
		};
	}

}

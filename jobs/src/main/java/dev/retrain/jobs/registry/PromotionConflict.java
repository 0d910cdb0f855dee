package dev.retrain.jobs.registry;

/**
 * A compare-and-set on an alias found another version than the caller believed; nothing
 * changed.
 */
public class PromotionConflict extends RuntimeException {

	private final Integer current;

	public PromotionConflict(String message, Integer current) {
		super(message);
		this.current = current;
	}

	public Integer current() {
		return this.current;
	}

}

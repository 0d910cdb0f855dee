package dev.retrain.jobs.registry;

/** How the champion alias came to move. */
public enum ChampionMove {

	/** A run's candidate passed the promotion policy. */
	AUTOMATIC("automatic-promotion", "AUTO_PROMOTE"),

	/** A person promoted a version that passed its policy. */
	PROMOTION("promotion", "PROMOTE"),

	/** A person promoted a version that failed its policy. */
	FORCED_PROMOTION("forced-promotion", "FORCE_PROMOTE"),

	/** A person approved a version waiting for approval. */
	APPROVAL("approval", "APPROVE"),

	/** A person made the previous champion the champion again. */
	ROLLBACK("rollback", "ROLLBACK"),

	/**
	 * A shadow version beat the served champion on real labels over
	 * {@code promotion.shadow.periods} labelled periods (a label join moved it).
	 */
	SHADOW_PROMOTION("shadow-promotion", "SHADOW_PROMOTE");

	private final String label;

	private final String auditAction;

	ChampionMove(String label, String auditAction) {
		this.label = label;
		this.auditAction = auditAction;
	}

	/** The name notifications carry ({@code forced-promotion}). */
	public String label() {
		return this.label;
	}

	/** The action the audit log records. */
	public String auditAction() {
		return this.auditAction;
	}

}

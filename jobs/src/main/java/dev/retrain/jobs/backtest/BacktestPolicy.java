package dev.retrain.jobs.backtest;

/**
 * A retraining policy to replay: {@code never} (train once after warm-up),
 * {@code schedule} (a Quartz cron, in simulated time), {@code drift} (the pipeline's
 * drift checks with {@code driftYaml} as its {@code drift:} section: signals,
 * calibration, cooldown), or {@code fixed-psi} (the textbook trigger: retrain when any
 * numeric feature's PSI against the champion's reference exceeds {@code psiThreshold}),
 * or {@code combined} (a cron and drift checks together: whichever comes first; the drift
 * check runs first at a period's end, and a scheduled fire at the same moment adds no
 * second retrain). {@code searchYaml}, when not null, replaces the pipeline's
 * {@code search:} section for this policy ({@value #NO_SEARCH}: no search), so one file
 * compares the same trigger with and without candidates per retrain.
 * {@code labelDelayPeriods} is how many periods late the policy sees labels (see
 * {@link LabelDelay}); 0: every label up to the decision point. {@code committeeYaml},
 * when not null, replaces the pipeline's {@code promotion.committee} section for this
 * policy ({@value #NO_COMMITTEE}: the champion alone), so one file compares the same
 * trigger with and without a committee champion.
 */
public record BacktestPolicy(String name, Type type, String cron, String driftYaml, double psiThreshold,
		String searchYaml, int labelDelayPeriods, String committeeYaml) {

	/** A policy that keeps the pipeline's own committee (or none). */
	public BacktestPolicy(String name, Type type, String cron, String driftYaml, double psiThreshold, String searchYaml,
			int labelDelayPeriods) {
		this(name, type, cron, driftYaml, psiThreshold, searchYaml, labelDelayPeriods, null);
	}

	/** A policy that sees labels as soon as its period ends. */
	public BacktestPolicy(String name, Type type, String cron, String driftYaml, double psiThreshold,
			String searchYaml) {
		this(name, type, cron, driftYaml, psiThreshold, searchYaml, 0);
	}

	/** A policy that keeps the pipeline's own search (or none). */
	public BacktestPolicy(String name, Type type, String cron, String driftYaml, double psiThreshold) {
		this(name, type, cron, driftYaml, psiThreshold, null);
	}

	/**
	 * This policy seeing labels {@code periods} periods late, named {@code name} (the
	 * report's row for that delay).
	 */
	BacktestPolicy withLabelDelay(String name, int periods) {
		return new BacktestPolicy(name, this.type, this.cron, this.driftYaml, this.psiThreshold, this.searchYaml,
				periods, this.committeeYaml);
	}

	/** {@link #searchYaml} of a policy that retrains without a search. */
	public static final String NO_SEARCH = "false";

	/** {@link #committeeYaml} of a policy whose champion serves alone. */
	public static final String NO_COMMITTEE = "false";

	public enum Type {

		NEVER, SCHEDULE, DRIFT, FIXED_PSI, COMBINED

	}

	/** Train once after warm-up: the baseline every backtest report includes. */
	public static BacktestPolicy never(String name) {
		return new BacktestPolicy(name, Type.NEVER, null, null, 0);
	}

	/**
	 * What the policy does, in words; a drift section stays YAML, line by line (the
	 * report shows it as written, not as "- a - b").
	 */
	public String describe() {
		String trigger = switch (this.type) {
			case NEVER -> "train once after warm-up";
			case SCHEDULE -> "retrain on cron '" + this.cron + "' (simulated time)";
			case DRIFT -> "drift-triggered:\n" + this.driftYaml.strip();
			case FIXED_PSI -> "retrain when any feature's PSI > " + this.psiThreshold + " (uncalibrated)";
			case COMBINED ->
				"retrain on cron '" + this.cron + "' (simulated time) or on drift: " + "\n" + this.driftYaml.strip();
		};
		String delay = (this.labelDelayPeriods > 0) ? "\nlabels " + this.labelDelayPeriods + " period"
				+ ((this.labelDelayPeriods == 1) ? "" : "s") + " late" : "";
		String committee = (this.committeeYaml == null) ? ""
				: NO_COMMITTEE.equals(this.committeeYaml) ? "\nthe champion alone (no committee)"
						: "\ncommittee (in place of the pipeline's): "
								+ this.committeeYaml.strip().replace("\n", ", ").replace("\"", "");
		if (this.searchYaml == null) {
			return trigger + committee + delay;
		}
		return trigger + (NO_SEARCH.equals(this.searchYaml) ? "\nwithout the pipeline's search"
				: "\nsearch (in place of the pipeline's):\n" + this.searchYaml.strip()) + committee + delay;
	}

}

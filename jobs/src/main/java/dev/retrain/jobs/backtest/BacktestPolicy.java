package dev.retrain.jobs.backtest;

/**
 * A retraining policy to replay: {@code never} (train once after warm-up),
 * {@code schedule} (a Quartz cron, in simulated time), {@code drift} (the pipeline's
 * drift checks with {@code driftYaml} as its {@code drift:} section: signals,
 * calibration, cooldown), or {@code fixed-psi} (the textbook trigger: retrain when any
 * numeric feature's PSI against the champion's reference exceeds {@code psiThreshold}),
 * or {@code combined} (a cron and drift checks together: whichever comes first; the drift
 * check runs first at a period's end, and a scheduled fire at the same moment adds no
 * second retrain).
 */
public record BacktestPolicy(String name, Type type, String cron, String driftYaml, double psiThreshold) {

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
		return switch (this.type) {
			case NEVER -> "train once after warm-up";
			case SCHEDULE -> "retrain on cron '" + this.cron + "' (simulated time)";
			case DRIFT -> "drift-triggered:\n" + this.driftYaml.strip();
			case FIXED_PSI -> "retrain when any feature's PSI > " + this.psiThreshold + " (uncalibrated)";
			case COMBINED ->
				"retrain on cron '" + this.cron + "' (simulated time) or on drift: " + "\n" + this.driftYaml.strip();
		};
	}

}

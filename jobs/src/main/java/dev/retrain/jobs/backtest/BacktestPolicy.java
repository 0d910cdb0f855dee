package dev.retrain.jobs.backtest;

/**
 * A retraining policy to replay: {@code never} (train once after warm-up), {@code schedule} (a Quartz
 * cron, in simulated time), {@code drift} (the pipeline's drift checks with {@code driftYaml} as its
 * {@code drift:} section: signals, calibration, cooldown), or {@code fixed-psi} (the textbook trigger:
 * retrain when any numeric feature's PSI against the champion's reference exceeds {@code psiThreshold}).
 */
public record BacktestPolicy(String name, Type type, String cron, String driftYaml, double psiThreshold) {

	public enum Type {

		NEVER, SCHEDULE, DRIFT, FIXED_PSI

	}

	public String describe() {
		return switch (this.type) {
			case NEVER -> "train once after warm-up";
			case SCHEDULE -> "retrain on cron '" + this.cron + "' (simulated time)";
			case DRIFT -> "drift-triggered: " + this.driftYaml.replace('\n', ' ').trim();
			case FIXED_PSI -> "retrain when any feature's PSI > " + this.psiThreshold + " (uncalibrated)";
		};
	}

}

package dev.retrain.jobs.backtest;

/** No backtest has this id, or it has no report (yet). */
public class BacktestNotFound extends RuntimeException {

	public BacktestNotFound(long id, String detail) {
		super("backtest " + id + ": " + detail);
	}

}

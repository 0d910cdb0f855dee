package dev.retrain.jobs.backtest;

/** A person started, stopped or restarted backtest {@code id}. */
public record BacktestRequested(long id, String pipeline, Request request, String actor) {

	/** What was asked, with the audit log's word for it. */
	public enum Request {

		START("START_BACKTEST"), STOP("STOP_BACKTEST"), RESTART("RESTART_BACKTEST");

		private final String auditAction;

		Request(String auditAction) {
			this.auditAction = auditAction;
		}

		public String auditAction() {
			return this.auditAction;
		}

	}

}

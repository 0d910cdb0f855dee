package dev.retrain.orchestrator.scheduling;

/**
 * A person paused, resumed or fired a stored schedule ({@code kind} as they named it).
 */
public record ScheduleChanged(String pipeline, String kind, Change change, String actor) {

	/** What was done to the schedule, with the audit log's word for it. */
	public enum Change {

		PAUSED("PAUSE_SCHEDULE"), RESUMED("RESUME_SCHEDULE"), TRIGGERED("TRIGGER_SCHEDULE");

		private final String auditAction;

		Change(String auditAction) {
			this.auditAction = auditAction;
		}

		public String auditAction() {
			return this.auditAction;
		}

	}

}

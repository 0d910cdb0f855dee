package dev.retrain.jobs.runs;

import java.util.Locale;

/** What started a run. */
public enum Trigger {

	SCHEDULE, DRIFT, MANUAL, API;

	public String key() {
		return name().toLowerCase(Locale.ROOT);
	}

}

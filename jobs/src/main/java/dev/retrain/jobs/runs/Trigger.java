package dev.retrain.jobs.runs;

import java.util.Locale;

/**
 * What started a run: a cron schedule, a drift event, a person, a client of the API, or a
 * new data partition.
 */
public enum Trigger {

	SCHEDULE, DRIFT, MANUAL, API, DATA;

	public String key() {
		return name().toLowerCase(Locale.ROOT);
	}

}

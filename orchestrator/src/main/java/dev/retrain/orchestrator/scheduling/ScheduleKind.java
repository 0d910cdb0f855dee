package dev.retrain.orchestrator.scheduling;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a stored trigger does: the Quartz job group is the kind, the job name is the
 * pipeline.
 */
enum ScheduleKind {

	RETRAIN("retrain", RetrainQuartzJob.class), DRIFT_CHECK("drift-check", DriftCheckQuartzJob.class),
	DATA_ARRIVAL("data-arrival", DataArrivalQuartzJob.class), SCORING("scoring", ScoringQuartzJob.class);

	private final String group;

	private final Class<? extends org.quartz.Job> jobClass;

	ScheduleKind(String group, Class<? extends org.quartz.Job> jobClass) {
		this.group = group;
		this.jobClass = jobClass;
	}

	public String group() {
		return this.group;
	}

	Class<? extends org.quartz.Job> jobClass() {
		return this.jobClass;
	}

	public static ScheduleKind of(String group) {
		return Arrays.stream(values())
			.filter(k -> k.group.equals(group.toLowerCase(Locale.ROOT)))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException(
					"unknown schedule kind '" + group + "' (retrain, drift-check, data-arrival, scoring)"));
	}

}

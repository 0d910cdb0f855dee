package dev.retrain.orchestrator.demo;

import java.time.LocalDate;

import dev.retrain.models.generator.SampleDataSpec;

/**
 * The days the demo plays, all derived from the last day of its data: the data's
 * {@code DAYS} days up to {@code end}; from {@code shiftFrom} on, the customers change (a
 * covariate shift) and so does what makes them churn (a concept drift: spend drives
 * churn, support calls no longer do), so a model trained before it ranks the new days
 * badly and a retrain on them helps. The first retrain runs as of the day before the
 * shift, the drift check and the retrain it triggers as of {@code end}.
 */
record DemoTimeline(LocalDate end, LocalDate shiftFrom) {

	static final int DAYS = 120;

	/** Days at the end of the data after the shift. */
	static final int SHIFTED_DAYS = 42;

	static final long SEED = 2024;

	static final int ROWS_PER_DAY = 1500;

	static final double COVARIATE_SHIFT = 0.5;

	static DemoTimeline endingOn(LocalDate end) {
		return new DemoTimeline(end, end.minusDays(SHIFTED_DAYS - 1L));
	}

	LocalDate start() {
		return this.end.minusDays(DAYS - 1L);
	}

	/** The first retrain's as-of: the last day before the shift. */
	LocalDate firstRetrain() {
		return this.shiftFrom.minusDays(1);
	}

	/** The drift check's as-of, and the retrain's it triggers. */
	LocalDate driftCheck() {
		return this.end;
	}

	SampleDataSpec spec() {
		return SampleDataSpec.stable(start(), DAYS, ROWS_PER_DAY, SEED)
			.withCovariateShift(this.shiftFrom, COVARIATE_SHIFT)
			.withConceptDrift(this.shiftFrom);
	}

}

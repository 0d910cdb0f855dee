package dev.retrain.models.generator;

import java.time.LocalDate;

/**
 * What the sample generator writes: {@code days} daily partitions from {@code start},
 * about {@code rowsPerDay} rows each (with a weekly cycle), an optional covariate shift
 * (inputs move, the relation to the label stays) and an optional concept drift (inputs
 * stay, the relation changes), each from a given day on. A null day means no such drift.
 */
public record SampleDataSpec(long seed, LocalDate start, int days, int rowsPerDay, LocalDate covariateShiftFrom,
		double covariateShift, LocalDate conceptDriftFrom) {

	public static SampleDataSpec stable(LocalDate start, int days, int rowsPerDay, long seed) {
		return new SampleDataSpec(seed, start, days, rowsPerDay, null, 0.0, null);
	}

	public SampleDataSpec withCovariateShift(LocalDate from, double shift) {
		return new SampleDataSpec(this.seed, this.start, this.days, this.rowsPerDay, from, shift,
				this.conceptDriftFrom);
	}

	public SampleDataSpec withConceptDrift(LocalDate from) {
		return new SampleDataSpec(this.seed, this.start, this.days, this.rowsPerDay, this.covariateShiftFrom,
				this.covariateShift, from);
	}

	public LocalDate lastDay() {
		return this.start.plusDays(this.days - 1L);
	}

}

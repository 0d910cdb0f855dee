package dev.retrain.jobs.backtest;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedCronTests {

	@Test
	void firesOnTheDatesItMeansBefore1970() {
		SimulatedCron yearly = SimulatedCron.parse("0 0 0 1 1 ?");
		assertThat(yearly.nextAfter(Instant.parse("1950-06-01T00:00:00Z")))
			.isEqualTo(Instant.parse("1951-01-01T00:00:00Z"));
		assertThat(yearly.nextAfter(Instant.parse("1969-12-31T23:59:59Z")))
			.isEqualTo(Instant.parse("1970-01-01T00:00:00Z"));
		assertThat(yearly.nextAfter(Instant.parse("2024-03-01T00:00:00Z")))
			.isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));

		// weekdays and leap days line up: Mondays of March 1952, and the 29th of February
		// of 1952 and 1956
		SimulatedCron mondays = SimulatedCron.parse("0 0 6 ? 3 MON");
		assertThat(mondays.nextAfter(Instant.parse("1952-01-01T00:00:00Z")))
			.isEqualTo(Instant.parse("1952-03-03T06:00:00Z"));
		SimulatedCron leap = SimulatedCron.parse("0 0 0 29 2 ?");
		Instant first = leap.nextAfter(Instant.parse("1950-01-01T00:00:00Z"));
		assertThat(first).isEqualTo(Instant.parse("1952-02-29T00:00:00Z"));
		assertThat(leap.nextAfter(first)).isEqualTo(Instant.parse("1956-02-29T00:00:00Z"));
		assertThat(yearly.nextAfter(Instant.parse("1999-12-31T00:00:00Z")))
			.isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
		org.assertj.core.api.Assertions
			.assertThatThrownBy(() -> yearly.nextAfter(Instant.parse("1899-01-01T00:00:00Z")))
			.hasMessageContaining("1901");
	}

}

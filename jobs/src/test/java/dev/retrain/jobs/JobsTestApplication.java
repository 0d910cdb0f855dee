package dev.retrain.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

import dev.retrain.models.training.EpochListener;

/**
 * The jobs module on its own: real H2 (migrated by Flyway), real Spring Batch, real DJL.
 */
@SpringBootApplication
@Import(JobsConfiguration.class)
public class JobsTestApplication {

	@Bean
	@Primary
	TestClock testClock() {
		return new TestClock();
	}

	/**
	 * The system clock, plus however far a test has moved it forward (to pass cooldowns,
	 * or simulate days).
	 */
	public static class TestClock extends Clock {

		private volatile Duration offset = Duration.ZERO;

		public void advance(Duration d) {
			this.offset = this.offset.plus(d);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return Clock.offset(Clock.system(zone), this.offset);
		}

		@Override
		public Instant instant() {
			return Instant.now().plus(this.offset);
		}

	}

	@Bean
	FailureInjector failureInjector() {
		return new FailureInjector();
	}

	/**
	 * Fails training once, after a chosen epoch, when armed: stands in for a crash
	 * mid-training.
	 */
	public static class FailureInjector implements EpochListener {

		private volatile int failAfter = -1;

		public void arm(int epoch) {
			this.failAfter = epoch;
		}

		@Override
		public void epochCompleted(int epoch, int totalEpochs, dev.retrain.models.training.EpochStats stats) {
			if (epoch == this.failAfter) {
				this.failAfter = -1;
				throw new IllegalStateException("injected failure after epoch " + epoch);
			}
		}

	}

}

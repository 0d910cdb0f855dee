package dev.retrain.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

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
	 * mid-training. Or holds training after a chosen epoch until released, so that a test
	 * can do something to the world (cut the database connections) mid-run.
	 */
	public static class FailureInjector implements EpochListener {

		private volatile int failAfter = -1;

		private volatile Hold hold;

		public void arm(int epoch) {
			this.failAfter = epoch;
		}

		/** Training stops after {@code epoch} until the returned hold is released. */
		public Hold holdAfter(int epoch) {
			Hold h = new Hold(epoch, new CountDownLatch(1), new CountDownLatch(1));
			this.hold = h;
			return h;
		}

		@Override
		public void epochCompleted(int epoch, int totalEpochs, dev.retrain.models.training.EpochStats stats) {
			Hold h = this.hold;
			if (h != null && h.epoch() == epoch) {
				this.hold = null;
				h.reached().countDown();
				try {
					if (!h.released().await(2, TimeUnit.MINUTES)) {
						throw new IllegalStateException("hold after epoch " + epoch + " never released");
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException(ex);
				}
			}
			if (epoch == this.failAfter) {
				this.failAfter = -1;
				throw new IllegalStateException("injected failure after epoch " + epoch);
			}
		}

	}

	/** A training held after an epoch: reached once it waits, released by the test. */
	public record Hold(int epoch, CountDownLatch reached, CountDownLatch released) {

		public void release() {
			this.released.countDown();
		}

	}

}

package dev.retrain.jobs;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import dev.retrain.models.training.EpochListener;

/** The jobs module on its own: real H2 (migrated by Flyway), real Spring Batch, real DJL. */
@SpringBootApplication
@Import(JobsConfiguration.class)
public class JobsTestApplication {

	@Bean
	FailureInjector failureInjector() {
		return new FailureInjector();
	}

	/** Fails training once, after a chosen epoch, when armed: stands in for a crash mid-training. */
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

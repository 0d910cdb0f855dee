package dev.retrain.jobs.backtest;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;

import dev.retrain.jobs.JobsConfiguration;

/**
 * The sandbox a backtest policy runs in: the product's jobs (retrain job, drift checks, events, registry)
 * on an in-memory database and a model store of its own, with a clock the backtest moves. Nothing of the
 * live application (database, store, schedules, web) is touched.
 */
// not a @Configuration (nor @SpringBootConfiguration): component scans of the jobs package must not pick
// up the sandbox's beans; SpringApplication takes it as a source and processes its @Bean methods anyway
@EnableAutoConfiguration(excludeName = { "org.springframework.boot.quartz.autoconfigure.QuartzAutoConfiguration" })
@Import(JobsConfiguration.class)
class BacktestApplication {

	@Bean
	@Primary
	SimulatedClock simulatedClock() {
		return new SimulatedClock();
	}

	/** Time as the backtest says it is. */
	static final class SimulatedClock extends Clock {

		private volatile Instant now = Instant.EPOCH;

		void set(Instant instant) {
			this.now = instant;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return Clock.fixed(this.now, zone);
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}

package dev.retrain.jobs.backtest;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.batch.autoconfigure.BatchTaskExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.task.TaskExecutor;

import dev.retrain.jobs.JobsConfiguration;

/**
 * The sandbox a backtest policy runs in: the product's jobs (retrain job, drift checks,
 * events, registry) on an in-memory database and a model store of its own, with a clock
 * the backtest moves and a run executor it can wait on. Nothing of the live application
 * (database, store, schedules, web) is touched.
 */
// not a @Configuration (nor @SpringBootConfiguration): component scans of the jobs
// package must not pick
// up the sandbox's beans; SpringApplication takes it as a source and processes its @Bean
// methods anyway
@EnableAutoConfiguration(excludeName = { "org.springframework.boot.quartz.autoconfigure.QuartzAutoConfiguration" })
@Import(JobsConfiguration.class)
class BacktestApplication {

	@Bean
	@Primary
	SimulatedClock simulatedClock() {
		return new SimulatedClock();
	}

	@Bean
	@Primary
	@BatchTaskExecutor
	RunExecutor backtestRunExecutor() {
		return new RunExecutor();
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

	/**
	 * Runs the sandbox's retrain runs on a thread of their own, as the product does, one
	 * after the other, and lets the backtest block until the runs it started have ended.
	 */
	static final class RunExecutor implements TaskExecutor, DisposableBean {

		private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "backtest-run"));

		private volatile Future<?> last = CompletableFuture.completedFuture(null);

		@Override
		public void execute(Runnable task) {
			this.last = this.thread.submit(task);
		}

		/**
		 * Blocks until every run started so far has ended: the job with its listeners, so
		 * its record is final and the pipeline's lock released.
		 */
		void awaitIdle() {
			try {
				this.last.get();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while waiting for a backtest retrain", ex);
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException("a backtest retrain did not run: " + ex.getCause(), ex.getCause());
			}
		}

		@Override
		public void destroy() {
			this.thread.shutdownNow();
		}

	}

}

package dev.retrain.jobs.drift;

import java.time.Clock;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.registry.CommitteeRegistry;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.models.store.ModelStore;

/** The drift feature: checks, their reports, drift events and the watch for new data. */
@Configuration(proxyBeanMethods = false)
public class DriftConfiguration {

	@Bean
	DriftReports driftReports(JdbcTemplate jdbc) {
		return new DriftReports(jdbc);
	}

	@Bean
	DriftEvents driftEvents(JdbcTemplate jdbc, PipelineCatalog catalog, RunLauncher launcher, PipelineLocks locks,
			Clock clock) {
		return new DriftEvents(jdbc, catalog, launcher, locks, clock);
	}

	@Bean
	DriftChecker driftChecker(PipelineCatalog catalog, RetrainProperties props, ModelRegistry registry,
			ModelStore store, DriftReports reports, DriftEvents events, Clock clock,
			ApplicationEventPublisher publisher, CommitteeRegistry committees, Environment env) {
		// a backtest's sandbox turns the committee off: its replay weighs the committee
		// itself, and its drift checks look at the champion alone
		boolean vote = env.getProperty("retrain.drift.committee-vote", Boolean.class, true);
		return new DriftChecker(catalog, props, registry, store, reports, events, clock, publisher,
				vote ? committees : null);
	}

	@Bean
	PartitionWatch partitionWatch(JdbcTemplate jdbc, PipelineCatalog catalog, RetrainProperties props,
			DriftChecker checker, RunLauncher launcher, Clock clock) {
		return new PartitionWatch(jdbc, catalog, props, checker, launcher, clock);
	}

}

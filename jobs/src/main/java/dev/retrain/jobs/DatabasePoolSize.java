package dev.retrain.jobs;

import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Sizes the database pool ({@code spring.datasource.hikari.maximum-pool-size}) from the
 * process's role, unless it is set explicitly (in any form: property, environment
 * variable, argument). Every process used to hold 20 connections, workers included; the
 * chart's defaults (2 nodes, up to 10 workers) then needed 240 against PostgreSQL's
 * default {@code max_connections} of 100.
 * <ul>
 * <li>A <b>worker</b> ({@code retrain.workers.consume} set): {@link #WORKER_EXTRA} more
 * than its {@code slots}. Each step at work holds one connection for its chunk
 * transactions; the extra ones serve the job repository's updates outside them, the
 * health check and a spare.</li>
 * <li>A <b>node</b>: {@link #NODE_EXTRA} more than the runs it executes at once
 * ({@code retrain.max-concurrent-runs}: 2, or 12 with workers). Each running run holds
 * one while a step works; the extra ones serve Quartz (its scheduler thread and cluster
 * check-in), the heartbeat and recovery, and the API, console and health checks.</li>
 * </ul>
 * The arithmetic for a cluster is in docs/operations.md (Database connections).
 */
public class DatabasePoolSize implements EnvironmentPostProcessor, Ordered {

	static final String PROPERTY = "spring.datasource.hikari.maximum-pool-size";

	static final int NODE_EXTRA = 6;

	static final int WORKER_EXTRA = 3;

	private final Log log;

	public DatabasePoolSize(DeferredLogFactory logs) {
		this.log = logs.getLog(DatabasePoolSize.class);
	}

	@Override
	public int getOrder() {
		// after application.yaml and the profiles' files are loaded
		return ConfigDataEnvironmentPostProcessor.ORDER + 1;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		Binder binder = Binder.get(environment);
		Integer explicit = binder.bind(PROPERTY, Integer.class).orElse(null);
		if (explicit != null) {
			this.log.info("database pool: " + explicit + " connections (" + PROPERTY + ")");
			return;
		}
		List<String> consume = binder.bind("retrain.workers.consume", Bindable.listOf(String.class)).orElse(List.of());
		int size;
		String why;
		if (!consume.isEmpty()) {
			int slots = Math.max(1, binder.bind("retrain.workers.slots", Integer.class).orElse(1));
			size = slots + WORKER_EXTRA;
			why = "a worker with " + slots + " slot(s) + " + WORKER_EXTRA;
		}
		else {
			int runs = RetrainProperties.runThreads(
					binder.bind("retrain.max-concurrent-runs", Integer.class).orElse(null),
					binder.bind("retrain.workers.enabled", Boolean.class).orElse(false));
			size = runs + NODE_EXTRA;
			why = "a node running up to " + runs + " runs at once + " + NODE_EXTRA;
		}
		// last: anything set explicitly later (a test's properties) still wins
		environment.getPropertySources()
			.addLast(new MapPropertySource("retrain-database-pool-size", Map.of(PROPERTY, size)));
		this.log.info("database pool: " + size + " connections (" + why + "; " + PROPERTY + " overrides)");
	}

}

package dev.retrain.orchestrator.admin;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import dev.retrain.models.store.ModelStore;

/**
 * Health component {@code storage}: the model store can be listed. Part of readiness: a
 * node whose object storage is down starts, reports not ready, and becomes ready when the
 * store answers again (each probe tries anew), instead of failing to start and restarting
 * in a loop.
 */
@Component("storage")
class StorageHealth implements HealthIndicator {

	private final ModelStore store;

	StorageHealth(ModelStore store) {
		this.store = store;
	}

	@Override
	public Health health() {
		try {
			return Health.up()
				.withDetail("store", this.store.uri())
				.withDetail("pipelines", this.store.pipelines().size())
				.build();
		}
		catch (RuntimeException ex) {
			return Health.down()
				.withDetail("store", this.store.uri())
				.withDetail("error", String.valueOf(ex.getMessage()))
				.build();
		}
	}

}

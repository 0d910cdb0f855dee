package dev.retrain.orchestrator.admin;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

import dev.retrain.jobs.consistency.ConsistencyCheck;

/**
 * Health component {@code consistency}: {@code INCONSISTENT} with the disagreements when
 * the registry, the store and the job repository disagree. Not {@code DOWN}: the node
 * serves and trains as before, and restarting it would not help; an operator must look.
 */
@Component("consistency")
class ConsistencyHealth implements HealthIndicator {

	static final Status INCONSISTENT = new Status("INCONSISTENT",
			"the registry, the store and the job repository disagree");

	private final ConsistencyCheck check;

	ConsistencyHealth(ConsistencyCheck check) {
		this.check = check;
	}

	@Override
	public Health health() {
		ConsistencyCheck.Report report = this.check.run();
		return report.consistent() ? Health.up().build()
				: Health.status(INCONSISTENT).withDetail("disagreements", report.disagreements()).build();
	}

}

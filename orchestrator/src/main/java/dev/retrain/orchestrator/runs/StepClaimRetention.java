package dev.retrain.orchestrator.runs;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.retrain.jobs.runs.StepClaims;

/**
 * Keeps the workers' fencing tokens from growing without bound: every hour, the claims of
 * steps whose run ended more than {@code retrain.workers.claim-retention} (1 day) ago are
 * deleted. Every node does it; the delete is idempotent.
 */
@Component
class StepClaimRetention {

	private static final Logger log = LoggerFactory.getLogger(StepClaimRetention.class);

	private final StepClaims claims;

	private final Clock clock;

	private final Duration retention;

	StepClaimRetention(StepClaims claims, Clock clock,
			@Value("${retrain.workers.claim-retention:1d}") Duration retention) {
		this.claims = claims;
		this.clock = clock;
		this.retention = retention;
	}

	@Scheduled(initialDelayString = "${retrain.workers.claim-retention-every:1h}",
			fixedDelayString = "${retrain.workers.claim-retention-every:1h}")
	void forgetEnded() {
		try {
			int gone = this.claims.forgetEnded(this.clock.instant().minus(this.retention));
			if (gone > 0) {
				log.info("deleted {} fencing claim(s) of runs that ended over {} ago", gone, this.retention);
			}
		}
		catch (RuntimeException ex) {
			log.warn("fencing claims not cleaned up (next try in an hour): {}", ex.getMessage());
		}
	}

}

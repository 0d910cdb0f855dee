package dev.retrain.orchestrator.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.retrain.jobs.audit.HistoryRetention;

/**
 * Opt-in retention of the audit log and the drift history (docs/capacity.md): every
 * {@code retrain.retention.every} (1 hour), audit rows older than
 * {@code retrain.retention.audit}, drift reports older than
 * {@code retrain.retention.drift-reports} (the newest of each pipeline stays) and drift
 * events older than {@code retrain.retention.drift-events} are deleted. Each is unset by
 * default, and an unset one deletes nothing: the product keeps its history unless told
 * otherwise. Every node does it; the deletes are idempotent.
 */
@Component
class HistoryRetentionSchedule {

	private static final Logger log = LoggerFactory.getLogger(HistoryRetentionSchedule.class);

	private final HistoryRetention retention;

	private final Clock clock;

	private final Duration audit;

	private final Duration driftReports;

	private final Duration driftEvents;

	HistoryRetentionSchedule(JdbcTemplate jdbc, Clock clock,
			@Value("${retrain.retention.audit:#{null}}") Duration audit,
			@Value("${retrain.retention.drift-reports:#{null}}") Duration driftReports,
			@Value("${retrain.retention.drift-events:#{null}}") Duration driftEvents) {
		this.retention = new HistoryRetention(jdbc);
		this.clock = clock;
		this.audit = positive("retrain.retention.audit", audit);
		this.driftReports = positive("retrain.retention.drift-reports", driftReports);
		this.driftEvents = positive("retrain.retention.drift-events", driftEvents);
	}

	private static Duration positive(String name, Duration d) {
		if (d != null && (d.isNegative() || d.isZero())) {
			throw new IllegalArgumentException(name + " must be a positive duration (such as 365d), or unset");
		}
		return d;
	}

	@Scheduled(initialDelayString = "${retrain.retention.every:1h}", fixedDelayString = "${retrain.retention.every:1h}")
	void forgetOld() {
		if (this.audit == null && this.driftReports == null && this.driftEvents == null) {
			return;
		}
		Instant now = this.clock.instant();
		try {
			HistoryRetention.Deleted gone = this.retention.forget(before(now, this.audit),
					before(now, this.driftReports), before(now, this.driftEvents));
			if (gone.total() > 0) {
				log.info("retention deleted {} audit row(s), {} drift report(s), {} drift event(s)", gone.auditRows(),
						gone.driftReports(), gone.driftEvents());
			}
		}
		catch (RuntimeException ex) {
			log.warn("retention did not run (next try at the next interval): {}", ex.getMessage());
		}
	}

	private static Instant before(Instant now, Duration keep) {
		return (keep != null) ? now.minus(keep) : null;
	}

}

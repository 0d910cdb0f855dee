package dev.retrain.orchestrator.notifications;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.jobs.drift.DriftDetected;
import dev.retrain.jobs.registry.ChampionChanged;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.registry.VersionRegistered;
import dev.retrain.jobs.runs.RunFinished;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.json.Json;

/**
 * Turns what happens (a failed run, a champion move, a version waiting for approval,
 * drift) into webhook deliveries: one {@link WebhookDue} per webhook that wants the
 * event, published in the transaction that made the change. Spring Modulith's event
 * publication registry stores it with that change, and {@link WebhookDelivery} makes it
 * after the commit; a slow or failing receiver never delays or fails a run.
 */
@Component
@EnableConfigurationProperties(NotificationSettings.class)
class WebhookNotifier {

	private final NotificationSettings settings;

	private final Clock clock;

	private final ApplicationEventPublisher publisher;

	private final TransactionTemplate tx;

	WebhookNotifier(NotificationSettings settings, Clock clock, ApplicationEventPublisher publisher,
			TransactionTemplate tx) {
		this.settings = settings;
		this.clock = clock;
		this.publisher = publisher;
		this.tx = tx;
	}

	@EventListener
	void on(RunFinished e) {
		RunRecord r = e.run();
		if ("FAILED".equals(r.status())) {
			send("failure", r.pipeline(), payload(r, r.failureReason()));
		}
	}

	/**
	 * Every champion move, automatic or by a person; published in the transaction that
	 * saves it.
	 */
	@EventListener
	void on(ChampionChanged e) {
		Map<String, Object> p = base(e.pipeline());
		if (e.runId() != null) {
			p.put("runId", e.runId());
		}
		p.put("action", e.move().label());
		p.put("fromVersion", e.from());
		p.put("toVersion", e.to());
		p.put("candidateVersion", e.to());
		p.put("by", e.actor());
		p.put("reason", e.reason());
		p.put("summary", e.reason());
		send("promotion", e.pipeline(), p);
	}

	@EventListener
	void on(VersionRegistered e) {
		if (e.decision() == Decision.PENDING) {
			Map<String, Object> p = base(e.pipeline());
			p.put("runId", e.runId());
			p.put("decision", e.decision());
			p.put("candidateVersion", e.version());
			p.put("summary", e.summary());
			send("pending-approval", e.pipeline(), p);
		}
	}

	@EventListener
	void on(DriftDetected e) {
		Map<String, Object> p = base(e.pipeline());
		p.put("reportId", e.reportId());
		p.put("summary", e.summary());
		p.put("outcome", e.outcome());
		send("drift", e.pipeline(), p);
	}

	private Map<String, Object> payload(RunRecord r, String summary) {
		Map<String, Object> p = base(r.pipeline());
		p.put("runId", r.runId());
		p.put("status", r.status());
		p.put("trigger", r.trigger());
		p.put("decision", r.decision());
		p.put("candidateVersion", r.candidateVersion());
		p.put("summary", summary);
		return p;
	}

	private Map<String, Object> base(String pipeline) {
		Map<String, Object> p = new LinkedHashMap<>();
		p.put("pipeline", pipeline);
		p.put("at", this.clock.instant().toString());
		return p;
	}

	/**
	 * One delivery per webhook that wants the event, published in the transaction of the
	 * change (or one of its own).
	 */
	private void send(String event, String pipeline, Map<String, Object> payload) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("event", event);
		body.putAll(payload);
		String json = Json.MAPPER.writeValueAsString(body);
		for (NotificationSettings.Webhook hook : this.settings.webhooks()) {
			if (hook.wants(event)) {
				WebhookDue due = new WebhookDue(WebhookDelivery.key(hook), event, pipeline, json);
				this.tx.executeWithoutResult(s -> this.publisher.publishEvent(due));
			}
		}
	}

}

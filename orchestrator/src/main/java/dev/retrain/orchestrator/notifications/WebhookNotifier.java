package dev.retrain.orchestrator.notifications;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.retrain.jobs.events.ChampionChanged;
import dev.retrain.jobs.events.DriftDetected;
import dev.retrain.jobs.events.RunFinished;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.store.Json;

/**
 * Sends webhooks on promotion, failure, pending approval and drift. Delivery happens on its own threads
 * with retries and doubling backoff, so a slow or failing receiver never delays or fails a run. Retries
 * live in this JVM's memory: a notification still being retried when the node stops is lost (logged).
 */
@Component
@EnableConfigurationProperties(NotificationSettings.class)
class WebhookNotifier implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);

	private final NotificationSettings settings;

	private final Clock clock;

	private final HttpClient http;

	private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(1, r -> {
		Thread t = new Thread(r, "webhooks");
		t.setDaemon(true);
		return t;
	});

	WebhookNotifier(NotificationSettings settings, Clock clock) {
		this.settings = settings;
		this.clock = clock;
		this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
	}

	@EventListener
	void on(RunFinished e) {
		RunRecord r = e.run();
		if ("FAILED".equals(r.status())) {
			send("failure", r.pipeline(), payload(r, r.failureReason()));
		}
		else if ("PROMOTE".equals(r.decision())) {
			send("promotion", r.pipeline(), payload(r, r.decisionSummary()));
		}
		else if ("PENDING".equals(r.decision())) {
			send("pending-approval", r.pipeline(), payload(r, r.decisionSummary()));
		}
	}

	@EventListener
	void on(ChampionChanged e) {
		Map<String, Object> p = base(e.pipeline());
		p.put("action", e.action());
		p.put("fromVersion", e.from());
		p.put("toVersion", e.to());
		p.put("by", e.actor());
		p.put("reason", e.reason());
		send("promotion", e.pipeline(), p);
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

	private void send(String event, String pipeline, Map<String, Object> payload) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("event", event);
		body.putAll(payload);
		String json = Json.MAPPER.writeValueAsString(body);
		for (NotificationSettings.Webhook hook : this.settings.webhooks()) {
			if (hook.wants(event)) {
				this.executor.execute(() -> attempt(hook, event, pipeline, json, 1));
			}
		}
	}

	private void attempt(NotificationSettings.Webhook hook, String event, String pipeline, String json, int attempt) {
		try {
			HttpResponse<Void> r = this.http.send(HttpRequest.newBuilder(URI.create(hook.url()))
				.timeout(this.settings.timeout())
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(json))
				.build(), HttpResponse.BodyHandlers.discarding());
			if (r.statusCode() < 300) {
				return;
			}
			retry(hook, event, pipeline, json, attempt, "HTTP " + r.statusCode());
		}
		catch (Exception ex) {
			retry(hook, event, pipeline, json, attempt, ex.getClass().getSimpleName());
		}
	}

	private void retry(NotificationSettings.Webhook hook, String event, String pipeline, String json, int attempt,
			String why) {
		if (attempt >= this.settings.maxAttempts()) {
			log.warn("webhook {} for {} of {} gave up after {} attempts ({})", hostOf(hook), event, pipeline, attempt, why);
			return;
		}
		Duration backoff = this.settings.firstBackoff().multipliedBy(1L << (attempt - 1));
		log.info("webhook {} for {} failed ({}), retry {} in {}", hostOf(hook), event, why, attempt + 1, backoff);
		this.executor.schedule(() -> attempt(hook, event, pipeline, json, attempt + 1), backoff.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	/** Only the host is logged: a webhook URL may carry a token. */
	private static String hostOf(NotificationSettings.Webhook hook) {
		return URI.create(hook.url()).getHost();
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}

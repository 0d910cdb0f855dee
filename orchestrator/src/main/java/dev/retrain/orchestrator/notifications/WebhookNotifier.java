package dev.retrain.orchestrator.notifications;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.retrain.jobs.registry.ChampionChanged;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.registry.VersionRegistered;
import dev.retrain.jobs.drift.DriftDetected;
import dev.retrain.jobs.runs.RunFinished;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.json.Json;

/**
 * Sends webhooks on promotion, failure, pending approval and drift, through an outbox in the database: the
 * event writes one {@code webhook_delivery} row per webhook, and deliveries are made by whichever node claims
 * the row (a conditional update with a lease), on a thread of their own, with retries and doubling backoff.
 * A slow or failing receiver never delays or fails a run, and a delivery pending when its node stops is made
 * by the next node that runs (at least once: a node that stops between the POST and recording it sends it
 * again). The URL is not stored, only its SHA-256, matched against the configured webhooks.
 */
@Component
@EnableConfigurationProperties(NotificationSettings.class)
class WebhookNotifier implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);

	private static final int BATCH = 50;

	private final NotificationSettings settings;

	private final Clock clock;

	private final HttpClient http;

	private final JdbcTemplate jdbc;

	private final String node;

	private final Map<String, NotificationSettings.Webhook> hooks = new LinkedHashMap<>();

	private final ScheduledExecutorService executor = Executors.newScheduledThreadPool(1, r -> {
		Thread t = new Thread(r, "webhooks");
		t.setDaemon(true);
		return t;
	});

	WebhookNotifier(NotificationSettings settings, Clock clock, JdbcTemplate jdbc, PipelineLocks locks) {
		this.settings = settings;
		this.clock = clock;
		this.jdbc = jdbc;
		this.node = locks.nodeId();
		this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
		settings.webhooks().forEach(h -> this.hooks.put(key(h), h));
	}

	/** Polls the outbox once the application (and its database) is ready. */
	@EventListener(ApplicationReadyEvent.class)
	void start() {
		long poll = this.settings.poll().toMillis();
		this.executor.scheduleWithFixedDelay(this::drain, poll, poll, TimeUnit.MILLISECONDS);
	}

	@EventListener
	void on(RunFinished e) {
		RunRecord r = e.run();
		if ("FAILED".equals(r.status())) {
			send("failure", r.pipeline(), payload(r, r.failureReason()));
		}
	}

	/** Every champion move, automatic or by a person; published in the transaction that saves it. */
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

	private void send(String event, String pipeline, Map<String, Object> payload) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("event", event);
		body.putAll(payload);
		String json = Json.MAPPER.writeValueAsString(body);
		OffsetDateTime now = now();
		boolean queued = false;
		for (NotificationSettings.Webhook hook : this.settings.webhooks()) {
			if (hook.wants(event)) {
				this.jdbc.update("INSERT INTO webhook_delivery (hook_key, host, event, pipeline, body, status, attempts, "
						+ "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)", key(hook), hostOf(hook), event,
						pipeline, json, now, now);
				queued = true;
			}
		}
		if (queued && TransactionSynchronizationManager.isSynchronizationActive()) {
			// published inside the transaction that made the change: the rows are visible once it commits
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					WebhookNotifier.this.executor.execute(WebhookNotifier.this::drain);
				}
			});
		}
		else if (queued) {
			this.executor.execute(this::drain);
		}
	}

	/** Delivers what is due and not claimed by a live node, claiming each row just before its attempt. */
	private void drain() {
		try {
			OffsetDateTime now = now();
			List<Map<String, Object>> due = this.jdbc.queryForList("SELECT id, hook_key, event, pipeline, body, attempts "
					+ "FROM webhook_delivery WHERE status = 'PENDING' AND next_attempt_at <= ? AND (claimed_until IS NULL "
					+ "OR claimed_until < ?) ORDER BY id FETCH FIRST " + BATCH + " ROWS ONLY", now, now);
			for (Map<String, Object> row : due) {
				long id = ((Number) row.get("id")).longValue();
				OffsetDateTime at = now();
				int claimed = this.jdbc.update("UPDATE webhook_delivery SET claimed_by = ?, claimed_until = ? WHERE id = ? "
						+ "AND status = 'PENDING' AND (claimed_until IS NULL OR claimed_until < ?)", this.node,
						at.plus(this.settings.timeout().multipliedBy(3)), id, at);
				if (claimed == 1) {
					deliver(id, (String) row.get("hook_key"), (String) row.get("event"), (String) row.get("pipeline"),
							(String) row.get("body"), ((Number) row.get("attempts")).intValue() + 1);
				}
			}
		}
		catch (RuntimeException ex) {
			log.warn("webhook deliveries: {}", ex.toString());
		}
	}

	private void deliver(long id, String hookKey, String event, String pipeline, String json, int attempt) {
		NotificationSettings.Webhook hook = this.hooks.get(hookKey);
		if (hook == null) {
			end(id, "GAVE_UP", attempt - 1, "the webhook is no longer configured");
			log.warn("webhook delivery {} for {} of {} dropped: its webhook is no longer configured", id, event, pipeline);
			return;
		}
		String why;
		try {
			HttpResponse<Void> r = this.http.send(HttpRequest.newBuilder(URI.create(hook.url()))
				.timeout(this.settings.timeout())
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(json))
				.build(), HttpResponse.BodyHandlers.discarding());
			if (r.statusCode() < 300) {
				end(id, "DELIVERED", attempt, null);
				return;
			}
			why = "HTTP " + r.statusCode();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return;
		}
		catch (Exception ex) {
			why = ex.getClass().getSimpleName();
		}
		if (attempt >= this.settings.maxAttempts()) {
			end(id, "GAVE_UP", attempt, why);
			log.warn("webhook {} for {} of {} gave up after {} attempts ({})", hostOf(hook), event, pipeline, attempt, why);
			return;
		}
		Duration backoff = this.settings.firstBackoff().multipliedBy(1L << (attempt - 1));
		this.jdbc.update("UPDATE webhook_delivery SET attempts = ?, last_error = ?, next_attempt_at = ?, claimed_by = NULL, "
				+ "claimed_until = NULL WHERE id = ?", attempt, why, now().plus(backoff), id);
		log.info("webhook {} for {} failed ({}), retry {} in {}", hostOf(hook), event, why, attempt + 1, backoff);
	}

	private void end(long id, String status, int attempts, String why) {
		this.jdbc.update("UPDATE webhook_delivery SET status = ?, attempts = ?, last_error = ?, ended_at = ?, "
				+ "claimed_until = NULL WHERE id = ?", status, attempts, why, now(), id);
	}

	private OffsetDateTime now() {
		return this.clock.instant().atOffset(ZoneOffset.UTC);
	}

	/** How a delivery row names its webhook: the SHA-256 of the URL. */
	static String key(NotificationSettings.Webhook hook) {
		try {
			return java.util.HexFormat.of()
				.formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(hook.url().getBytes(StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
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

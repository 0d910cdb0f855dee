package dev.retrain.orchestrator.notifications;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.modulith.events.EventPublication;
import org.springframework.modulith.events.IncompleteEventPublications;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;

/**
 * Makes the webhook deliveries that {@link WebhookNotifier} published: after the change
 * commits, on a thread of the application's task executor, with {@code maxAttempts} tries
 * and doubling backoff from {@code firstBackoff} (Spring Framework's
 * {@link RetryTemplate}), holding no database connection meanwhile. A delivery that
 * returns is completed in Spring Modulith's event publication registry; one that failed
 * every try, or whose node stopped before it finished, stays incomplete there. Every
 * {@code poll} each node resubmits the deliveries left incomplete for longer than
 * {@code resubmitAfter}, for {@code giveUpAfter} after they were due, so a delivery is
 * made at least once by whichever node is running.
 */
@Component
class WebhookDelivery {

	private static final Logger log = LoggerFactory.getLogger(WebhookDelivery.class);

	private final NotificationSettings settings;

	private final IncompleteEventPublications incomplete;

	private final Clock clock;

	private final HttpClient http;

	private final Map<String, NotificationSettings.Webhook> hooks = new LinkedHashMap<>();

	private final RetryTemplate retry;

	WebhookDelivery(NotificationSettings settings, IncompleteEventPublications incomplete, Clock clock) {
		this.settings = settings;
		this.incomplete = incomplete;
		this.clock = clock;
		this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
		settings.webhooks().forEach(h -> this.hooks.put(key(h), h));
		this.retry = new RetryTemplate(RetryPolicy.builder()
			.maxRetries(settings.maxAttempts() - 1L)
			.delay(settings.firstBackoff())
			.multiplier(2)
			.maxDelay(settings.firstBackoff().multipliedBy(1L << Math.min(20, settings.maxAttempts())))
			.build());
		this.retry.setRetryListener(new RetryListener() {
			@Override
			public void onRetryFailure(RetryPolicy policy, Retryable<?> retryable, Throwable failure) {
				log.info("{} failed ({}), retrying", retryable.getName(), failure.getMessage());
			}
		});
	}

	/**
	 * Delivers one webhook, retrying; throws when every try failed, which leaves the
	 * publication incomplete.
	 */
	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void deliver(WebhookDue due) throws RetryException {
		NotificationSettings.Webhook hook = this.hooks.get(due.hookKey());
		if (hook == null) {
			log.warn("webhook delivery for {} of {} dropped: its webhook is no longer configured", due.event(),
					due.pipeline());
			return;
		}
		try {
			this.retry.execute(new Retryable<Void>() {
				@Override
				public Void execute() throws IOException, InterruptedException {
					return post(hook, due.body());
				}

				@Override
				public String getName() {
					return "webhook " + hostOf(hook) + " for " + due.event() + " of " + due.pipeline();
				}
			});
		}
		catch (RetryException ex) {
			log.warn("webhook {} for {} of {} failed {} times ({}); it stays due", hostOf(hook), due.event(),
					due.pipeline(), this.settings.maxAttempts(), ex.getLastException().getMessage());
			throw ex;
		}
	}

	private Void post(NotificationSettings.Webhook hook, String body) throws IOException, InterruptedException {
		HttpResponse<Void> r = this.http.send(HttpRequest.newBuilder(URI.create(hook.url()))
			.timeout(this.settings.timeout())
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.discarding());
		if (r.statusCode() >= 300) {
			throw new IOException("HTTP " + r.statusCode());
		}
		return null;
	}

	/**
	 * Resubmits deliveries left incomplete (every try failed, or their node stopped),
	 * until they are too old.
	 */
	@Scheduled(initialDelayString = "${retrain.notifications.poll:1s}",
			fixedDelayString = "${retrain.notifications.poll:1s}")
	void resubmitStale() {
		Instant now = this.clock.instant();
		this.incomplete.resubmitIncompletePublications(
				p -> p.getEvent() instanceof WebhookDue && lastTry(p).plus(this.settings.resubmitAfter()).isBefore(now)
						&& p.getPublicationDate().plus(this.settings.giveUpAfter()).isAfter(now));
	}

	private static Instant lastTry(EventPublication p) {
		return (p.getLastResubmissionDate() != null) ? p.getLastResubmissionDate() : p.getPublicationDate();
	}

	/** How a delivery names its webhook: the SHA-256 of the URL. */
	static String key(NotificationSettings.Webhook hook) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(hook.url().getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Only the host is logged: a webhook URL may carry a token. */
	private static String hostOf(NotificationSettings.Webhook hook) {
		return URI.create(hook.url()).getHost();
	}

}

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
import java.time.ZoneOffset;
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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.modulith.events.EventPublication;
import org.springframework.modulith.events.IncompleteEventPublications;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;

/**
 * Makes the webhook deliveries that {@link WebhookNotifier} published: after the change
 * commits, on a thread of the {@code events-} executor, with {@code maxAttempts} tries
 * and doubling backoff from {@code firstBackoff} (Spring Framework's
 * {@link RetryTemplate}), holding no database connection meanwhile; a receiver's 3xx or
 * 4xx (but 408 and 429) is not tried again at once. A delivery that returns is completed
 * (and removed) in Spring Modulith's event publication registry; one that failed stays
 * there as FAILED, and one whose node stopped mid-delivery is marked FAILED by Modulith's
 * staleness monitor ({@code spring.modulith.events.staleness.*}). Every {@code poll} each
 * node resubmits the FAILED deliveries whose last try is older than
 * {@code resubmitAfter}, so a delivery is made at least once by whichever node runs, and
 * removes those undelivered {@code giveUpAfter} after their event, with a warning.
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

	private final JdbcTemplate jdbc;

	WebhookDelivery(NotificationSettings settings, IncompleteEventPublications incomplete, Clock clock,
			JdbcTemplate jdbc) {
		this.settings = settings;
		this.jdbc = jdbc;
		this.incomplete = incomplete;
		this.clock = clock;
		this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
		settings.webhooks().forEach(h -> this.hooks.put(key(h), h));
		this.retry = new RetryTemplate(RetryPolicy.builder()
			.maxRetries(settings.maxAttempts() - 1L)
			.delay(settings.firstBackoff())
			.multiplier(2)
			.maxDelay(settings.firstBackoff().multipliedBy(1L << Math.min(20, settings.maxAttempts())))
			.excludes(Refused.class)
			.build());
		this.retry.setRetryListener(new RetryListener() {
			@Override
			public void onRetryFailure(RetryPolicy policy, Retryable<?> retryable, Throwable failure) {
				log.info("{} failed ({}), retrying", retryable.getName(), failure.getClass().getSimpleName());
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
			// the exception's class only: a message may quote the URL, and a URL may
			// carry a token
			log.warn("webhook {} for {} of {} failed after {} tries ({}); it stays due", hostOf(hook), due.event(),
					due.pipeline(), ex.getRetryCount() + 1, ex.getLastException().getClass().getSimpleName());
			throw ex;
		}
	}

	private Void post(NotificationSettings.Webhook hook, String body) throws IOException, InterruptedException {
		HttpResponse<Void> r = this.http.send(HttpRequest.newBuilder(URI.create(hook.url()))
			.timeout(this.settings.timeout())
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.discarding());
		if (r.statusCode() == 408 || r.statusCode() == 429 || r.statusCode() >= 500) {
			throw new IOException("HTTP " + r.statusCode());
		}
		if (r.statusCode() >= 300) {
			throw new Refused(r.statusCode());
		}
		return null;
	}

	/**
	 * The receiver refused the delivery (a 3xx or 4xx other than 408 and 429): trying
	 * again now would not help.
	 */
	static final class Refused extends IOException {

		Refused(int status) {
			super("HTTP " + status);
		}

	}

	/**
	 * Resubmits the deliveries that failed (every try failed, or Spring Modulith's
	 * staleness monitor found them stuck because their node stopped) once
	 * {@code resubmitAfter} has passed since their last try, and removes, with a warning,
	 * those still undelivered {@code giveUpAfter} after the event.
	 */
	@Scheduled(initialDelayString = "${retrain.notifications.poll:10s}",
			fixedDelayString = "${retrain.notifications.poll:10s}")
	void resubmitFailed() {
		Instant now = this.clock.instant();
		this.incomplete.resubmitIncompletePublications(
				p -> p.getEvent() instanceof WebhookDue && p.getStatus() == EventPublication.Status.FAILED
						&& lastTry(p).plus(this.settings.resubmitAfter()).isBefore(now)
						&& p.getPublicationDate().plus(this.settings.giveUpAfter()).isAfter(now));
		int given = this.jdbc.update(
				"DELETE FROM event_publication WHERE event_type = ? AND completion_date IS NULL "
						+ "AND publication_date < ?",
				WebhookDue.class.getName(), now.minus(this.settings.giveUpAfter()).atOffset(ZoneOffset.UTC));
		if (given > 0) {
			log.warn("{} webhook deliveries given up: undelivered {} after their event", given,
					this.settings.giveUpAfter());
		}
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

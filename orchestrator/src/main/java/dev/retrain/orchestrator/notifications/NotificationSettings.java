package dev.retrain.orchestrator.notifications;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhooks: each gets a JSON POST for the events it lists ({@code promotion},
 * {@code failure}, {@code pending-approval}, {@code drift}; all when empty), tried
 * {@code maxAttempts} times with doubling backoff from {@code firstBackoff}. Every
 * {@code poll} each node resubmits deliveries that stayed incomplete for
 * {@code resubmitAfter} (all tries failed, or their node stopped), until
 * {@code giveUpAfter} has passed since the event.
 */
@ConfigurationProperties("retrain.notifications")
record NotificationSettings(List<Webhook> webhooks, @DefaultValue("4") int maxAttempts,
		@DefaultValue("1s") Duration firstBackoff, @DefaultValue("10s") Duration timeout,
		@DefaultValue("10s") Duration poll, @DefaultValue("5m") Duration resubmitAfter,
		@DefaultValue("24h") Duration giveUpAfter) {

	NotificationSettings {
		webhooks = (webhooks != null) ? List.copyOf(webhooks) : List.of();
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("retrain.notifications.max-attempts must be >= 1, was " + maxAttempts);
		}
		for (int i = 0; i < webhooks.size(); i++) {
			webhooks.get(i).check(i);
		}
		Duration longest = timeout.multipliedBy(maxAttempts)
			.plus(firstBackoff.multipliedBy((1L << Math.min(20, maxAttempts - 1)) - 1));
		if (resubmitAfter.compareTo(longest) <= 0) {
			throw new IllegalArgumentException("retrain.notifications.resubmit-after (" + resubmitAfter
					+ ") must exceed the longest a delivery's tries can take (" + longest
					+ ": max-attempts x timeout plus the backoffs), or a delivery still being tried is sent again");
		}
	}

	record Webhook(String url, List<String> events) {

		/**
		 * A webhook needs an absolute http(s) URL; the message names the entry, not the
		 * URL (it may carry a token).
		 */
		void check(int index) {
			URI uri;
			try {
				uri = (this.url != null) ? new URI(this.url) : null;
			}
			catch (URISyntaxException ex) {
				uri = null;
			}
			if (uri == null || uri.getHost() == null
					|| !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
				throw new IllegalArgumentException(
						"retrain.notifications.webhooks[" + index + "].url must be an absolute http(s) URL");
			}
		}

		boolean wants(String event) {
			return this.events == null || this.events.isEmpty() || this.events.contains(event);
		}

	}

}

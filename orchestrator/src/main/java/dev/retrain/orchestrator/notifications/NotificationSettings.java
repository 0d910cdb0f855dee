package dev.retrain.orchestrator.notifications;

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
		@DefaultValue("1s") Duration poll, @DefaultValue("5m") Duration resubmitAfter,
		@DefaultValue("24h") Duration giveUpAfter) {

	NotificationSettings {
		webhooks = (webhooks != null) ? List.copyOf(webhooks) : List.of();
	}

	record Webhook(String url, List<String> events) {

		boolean wants(String event) {
			return this.events == null || this.events.isEmpty() || this.events.contains(event);
		}

	}

}

package dev.retrain.orchestrator.notifications;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhooks: each gets a JSON POST for the events it lists ({@code promotion}, {@code failure},
 * {@code pending-approval}, {@code drift}; all when empty), retried {@code maxAttempts} times with
 * doubling backoff from {@code firstBackoff}; each node looks for due deliveries every {@code poll}.
 */
@ConfigurationProperties("retrain.notifications")
record NotificationSettings(List<Webhook> webhooks, @DefaultValue("4") int maxAttempts,
		@DefaultValue("1s") Duration firstBackoff, @DefaultValue("10s") Duration timeout,
		@DefaultValue("1s") Duration poll) {

	NotificationSettings {
		webhooks = (webhooks != null) ? List.copyOf(webhooks) : List.of();
	}

	record Webhook(String url, List<String> events) {

		boolean wants(String event) {
			return this.events == null || this.events.isEmpty() || this.events.contains(event);
		}

	}

}

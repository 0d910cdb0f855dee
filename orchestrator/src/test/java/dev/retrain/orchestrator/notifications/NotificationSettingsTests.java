package dev.retrain.orchestrator.notifications;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Webhook settings that would resend a delivery still being tried, or leak a URL, are
 * refused at start-up.
 */
class NotificationSettingsTests {

	private static NotificationSettings settings(String url, int attempts, Duration timeout, Duration resubmitAfter) {
		return new NotificationSettings(List.of(new NotificationSettings.Webhook(url, null)), attempts,
				Duration.ofSeconds(1), timeout, Duration.ofSeconds(10), resubmitAfter, Duration.ofHours(24));
	}

	@Test
	void theDefaultsAreConsistent() {
		assertThat(
				settings("https://hooks.example.com/x?token=s3cret", 4, Duration.ofSeconds(10), Duration.ofMinutes(5))
					.maxAttempts())
			.isEqualTo(4);
	}

	@Test
	void aResubmissionSoonerThanTheTriesCanTakeIsRefused() {
		// 4 tries of up to 10 s, plus backoffs of 1 + 2 + 4 s: 47 s
		assertThatThrownBy(() -> settings("https://h.example.com/x", 4, Duration.ofSeconds(10), Duration.ofSeconds(47)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("resubmit-after (PT47S) must exceed the longest a delivery's tries can take (PT47S");
		assertThat(settings("https://h.example.com/x", 4, Duration.ofSeconds(10), Duration.ofSeconds(48))).isNotNull();
	}

	@Test
	void aWebhookWithoutAnAbsoluteHttpUrlIsRefusedWithoutQuotingIt() {
		for (String url : new String[] { "hooks.example.com/x?token=s3cret", "ftp://h.example.com/s3cret",
				"http://[bad?token=s3cret", null }) {
			assertThatThrownBy(() -> settings(url, 4, Duration.ofSeconds(10), Duration.ofMinutes(5)))
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessage("retrain.notifications.webhooks[0].url must be an absolute http(s) URL");
		}
	}

}

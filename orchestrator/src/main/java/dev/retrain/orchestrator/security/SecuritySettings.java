package dev.retrain.orchestrator.security;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call the API. {@code users} authenticate with HTTP Basic; {@code password} is
 * an encoded hash ({@code {bcrypt}...}, from
 * {@code java -jar orchestrator.jar hash-password}). {@code apiKeys} are sent as
 * {@code X-API-Key}; only their SHA-256 ({@code hash-api-key}) is configured. Roles:
 * {@code viewer}, {@code operator}, {@code admin} (each includes the one before).
 * {@code loginThrottle}: how failed logins slow down further attempts.
 */
@ConfigurationProperties("retrain.security")
record SecuritySettings(List<User> users, List<ApiKey> apiKeys, @DefaultValue Throttle loginThrottle) {

	SecuritySettings {
		users = (users != null) ? List.copyOf(users) : List.of();
		apiKeys = (apiKeys != null) ? List.copyOf(apiKeys) : List.of();
		loginThrottle = (loginThrottle != null) ? loginThrottle
				: new Throttle(5, 20, Duration.ofSeconds(15), Duration.ofMinutes(5), Duration.ofMinutes(15));
	}

	record User(String name, String password, List<String> roles) {
	}

	record ApiKey(String name, String sha256, List<String> roles) {
	}

	/**
	 * {@code maxFailures} failed logins of one user from one address, or
	 * {@code maxFailuresPerAddress} from one address (any users), lock further attempts
	 * of that user from that address (or of any user from that address) for
	 * {@code lockout}; each further failure after a lock doubles it, up to
	 * {@code maxLockout}. Failures are forgotten {@code window} after the last one, and a
	 * success forgets those of its user at its address. A user who signed in from an
	 * address within {@code window} is not held by that address's lock. No more attempts
	 * are checked at once than failures are still allowed (the others get 429 for a
	 * second). 0 turns a limit off.
	 */
	record Throttle(@DefaultValue("5") int maxFailures, @DefaultValue("20") int maxFailuresPerAddress,
			@DefaultValue("15s") Duration lockout, @DefaultValue("5m") Duration maxLockout,
			@DefaultValue("15m") Duration window) {

		Throttle {
			if (maxFailures < 0 || maxFailuresPerAddress < 0) {
				throw new IllegalArgumentException(
						"retrain.security.login-throttle: max-failures and max-failures-per-address must be 0 (off) or more");
			}
			if (lockout.isNegative() || lockout.isZero() || maxLockout.compareTo(lockout) < 0) {
				throw new IllegalArgumentException(
						"retrain.security.login-throttle: lockout must be positive and max-lockout at least lockout");
			}
			if (window.compareTo(maxLockout) < 0) {
				throw new IllegalArgumentException(
						"retrain.security.login-throttle: window (" + window + ") must be at least max-lockout ("
								+ maxLockout + "): failures forgotten during a lock would reset it");
			}
		}

	}

}

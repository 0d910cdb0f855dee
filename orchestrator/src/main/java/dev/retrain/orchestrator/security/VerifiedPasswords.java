package dev.retrain.orchestrator.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * HTTP Basic without a bcrypt check on every request. A password that matched its stored
 * hash is remembered for {@code ttl} (5 minutes) under an HMAC-SHA256 of the hash and the
 * password, with a key made at random when the process starts and kept nowhere: the cache
 * holds neither the password nor anything from which it could be tested offline without
 * that key. A later request with the same user's same password is a map lookup (a Grafana
 * or a script polling with a user paid ~80 ms of bcrypt per request); a wrong password
 * always takes the full bcrypt check (and the login throttle), and a changed hash (a new
 * password in the configuration) is a different key. Encoding is the delegate's.
 */
final class VerifiedPasswords implements PasswordEncoder {

	/**
	 * At most this many remembered matches: beyond it the cache is emptied and refills.
	 */
	static final int LIMIT = 10_000;

	private final PasswordEncoder delegate;

	private final Duration ttl;

	private final Clock clock;

	private final SecretKeySpec key;

	private final Map<String, Instant> verified = new ConcurrentHashMap<>();

	VerifiedPasswords(PasswordEncoder delegate, Duration ttl, Clock clock) {
		this.delegate = delegate;
		this.ttl = ttl;
		this.clock = clock;
		byte[] secret = new byte[32];
		new SecureRandom().nextBytes(secret);
		this.key = new SecretKeySpec(secret, "HmacSHA256");
	}

	@Override
	public String encode(CharSequence rawPassword) {
		return this.delegate.encode(rawPassword);
	}

	@Override
	public boolean matches(CharSequence rawPassword, String encodedPassword) {
		if (rawPassword == null || encodedPassword == null || this.ttl.isZero() || this.ttl.isNegative()) {
			return this.delegate.matches(rawPassword, encodedPassword);
		}
		String id = id(rawPassword, encodedPassword);
		Instant now = this.clock.instant();
		Instant until = this.verified.get(id);
		if (until != null && now.isBefore(until)) {
			return true;
		}
		boolean matches = this.delegate.matches(rawPassword, encodedPassword);
		if (matches) {
			if (this.verified.size() >= LIMIT) {
				this.verified.clear();
			}
			this.verified.put(id, now.plus(this.ttl));
		}
		else {
			this.verified.remove(id);
		}
		return matches;
	}

	@Override
	public boolean upgradeEncoding(String encodedPassword) {
		return this.delegate.upgradeEncoding(encodedPassword);
	}

	private String id(CharSequence rawPassword, String encodedPassword) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(this.key);
			mac.update(encodedPassword.getBytes(StandardCharsets.UTF_8));
			mac.update((byte) 0);
			mac.update(rawPassword.toString().getBytes(StandardCharsets.UTF_8));
			return Base64.getEncoder().encodeToString(mac.doFinal());
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException(ex);
		}
	}

}

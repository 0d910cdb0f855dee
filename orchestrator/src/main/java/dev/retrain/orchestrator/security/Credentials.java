package dev.retrain.orchestrator.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.springframework.security.crypto.factory.PasswordEncoderFactories;

/**
 * Hashing for configured secrets: the command-line helpers and the API-key check use the
 * same code.
 */
public final class Credentials {

	private Credentials() {
	}

	/** An encoded password for {@code retrain.security.users[].password} (bcrypt). */
	public static String hashPassword(String password) {
		return PasswordEncoderFactories.createDelegatingPasswordEncoder().encode(password);
	}

	/**
	 * The SHA-256 (hex) of an API key, for {@code retrain.security.api-keys[].sha256}.
	 */
	public static String hashApiKey(String key) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}

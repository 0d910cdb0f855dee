package dev.retrain.orchestrator.security;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

import dev.retrain.orchestrator.MovableClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP Basic's bcrypt check, remembered: the same user's same password is checked by
 * bcrypt once per {@code ttl}; a wrong password, a changed hash and an expired match go
 * through bcrypt every time; with a ttl of 0 nothing is remembered.
 */
class VerifiedPasswordsTests {

	/** Real bcrypt, counting its checks. */
	static final class Counting implements PasswordEncoder {

		final PasswordEncoder bcrypt = PasswordEncoderFactories.createDelegatingPasswordEncoder();

		int checks;

		@Override
		public String encode(CharSequence raw) {
			return this.bcrypt.encode(raw);
		}

		@Override
		public boolean matches(CharSequence raw, String encoded) {
			this.checks++;
			return this.bcrypt.matches(raw, encoded);
		}

	}

	@Test
	void aMatchIsRememberedForItsTtlAndNothingElseIs() {
		Counting bcrypt = new Counting();
		MovableClock now = new MovableClock();
		VerifiedPasswords passwords = new VerifiedPasswords(bcrypt, Duration.ofMinutes(5), now);
		String hash = passwords.encode("s3cret");
		assertThat(hash).startsWith("{bcrypt}");

		assertThat(passwords.matches("s3cret", hash)).isTrue();
		assertThat(passwords.matches("s3cret", hash)).isTrue();
		assertThat(passwords.matches("s3cret", hash)).isTrue();
		assertThat(bcrypt.checks).as("bcrypt once for three requests").isEqualTo(1);

		assertThat(passwords.matches("wrong", hash)).isFalse();
		assertThat(passwords.matches("wrong", hash)).isFalse();
		assertThat(bcrypt.checks).as("a wrong password is checked every time").isEqualTo(3);

		String changed = passwords.encode("s3cret");
		assertThat(passwords.matches("s3cret", changed)).isTrue();
		assertThat(bcrypt.checks).as("another hash is another entry").isEqualTo(4);

		now.advance(Duration.ofMinutes(5));
		assertThat(passwords.matches("s3cret", hash)).isTrue();
		assertThat(bcrypt.checks).as("expired: checked again").isEqualTo(5);
	}

	@Test
	void aTtlOfZeroChecksBcryptOnEveryRequest() {
		Counting bcrypt = new Counting();
		VerifiedPasswords passwords = new VerifiedPasswords(bcrypt, Duration.ZERO, new MovableClock());
		String hash = passwords.encode("s3cret");
		assertThat(passwords.matches("s3cret", hash)).isTrue();
		assertThat(passwords.matches("s3cret", hash)).isTrue();
		assertThat(bcrypt.checks).isEqualTo(2);
	}

}

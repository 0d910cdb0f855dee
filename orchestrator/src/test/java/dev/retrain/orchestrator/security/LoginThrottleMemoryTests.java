package dev.retrain.orchestrator.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the login throttle remembers stays bounded under an attack from many addresses
 * with many user names: entries past their window are swept, and past the hard limit only
 * locks are kept. An IPv6 client counts by its /64, and user names are counted case
 * blind, cut and without control characters.
 */
class LoginThrottleMemoryTests {

	private static final SecuritySettings.Throttle DEFAULTS = new SecuritySettings.Throttle(5, 20,
			Duration.ofSeconds(15), Duration.ofMinutes(5), Duration.ofMinutes(15));

	private Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

	private final LoginThrottle throttle = new LoginThrottle(DEFAULTS, new Clock() {

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return LoginThrottleMemoryTests.this.clock.instant();
		}

	});

	private void advance(Duration by) {
		this.clock = Clock.offset(this.clock, by);
	}

	@Test
	void failuresOfManyUsersFromManyAddressesAreForgottenAWindowLater() {
		for (int i = 0; i < 6_000; i++) {
			this.throttle.failed("user-" + i, "10.0." + (i / 250) + "." + (i % 250));
		}
		assertThat(this.throttle.entries()).isEqualTo(12_000);

		advance(Duration.ofMinutes(15));
		this.throttle.failed("one-more", "10.1.0.1");

		assertThat(this.throttle.entries()).isEqualTo(2);
	}

	@Test
	void pastTheHardLimitOnlyLocksAreKept() {
		for (int i = 0; i < 5; i++) {
			this.throttle.failed("admin", "192.0.2.1");
		}
		for (int i = 0; i < LoginThrottle.MAX_ENTRIES; i++) {
			this.throttle.failed("user-" + i, "10." + (i / 65_536) + "." + (i / 256 % 256) + "." + (i % 256));
		}
		advance(Duration.ofSeconds(2));
		this.throttle.failed("one-more", "10.200.0.1");

		assertThat(this.throttle.entries()).isLessThan(10);
		assertThat(this.throttle.begin("admin", "192.0.2.1").refusal()).isNotNull();
	}

	@Test
	void anIpv6ClientCountsByItsSlash64AndUserNamesCaseBlindCutAndClean() {
		assertThat(LoginThrottle.block("2001:db8:1:2:3:4:5:6")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
		assertThat(LoginThrottle.block("2001:db8:1:2::9")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
		assertThat(LoginThrottle.block("192.0.2.7")).isEqualTo("192.0.2.7");
		for (int i = 0; i < 5; i++) {
			this.throttle.failed((i % 2 == 0) ? "Admin" : "ADMIN", "2001:db8:1:2::" + (i + 1));
		}
		assertThat(this.throttle.begin("admin", "2001:db8:1:2::ff").refusal()).isNotNull();
		assertThat(this.throttle.begin("admin", "2001:db8:1:3::1").refusal()).isNull();
		assertThat(LoginThrottle.user("evil\nWARN forged line")).isEqualTo("evil?WARN forged line");
		assertThat(LoginThrottle.user("x".repeat(1000))).hasSize(LoginThrottle.MAX_USER_LENGTH + 1);
	}

}

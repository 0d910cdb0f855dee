package dev.retrain.orchestrator.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed logins per (user, address) and per address, and the locks they lead to (see
 * {@link SecuritySettings.Throttle}). A lock refuses every attempt it covers, the right
 * password too, until it expires by itself; nothing locks a user everywhere, so failures
 * from elsewhere cannot lock a user out. Attempts being checked count against the
 * failures still allowed, so that a burst of parallel guesses gets no more checks than
 * guesses one by one would (the surplus gets 429 for a second). An IPv6 address counts by
 * its /64, the block one client usually holds.
 *
 * <p>
 * State lives in this node's memory: each node of a cluster counts its own attempts (a
 * client spread over n nodes behind a load balancer gets up to n times the attempts), and
 * a restart forgets. Entries are forgotten a window after their last event; past
 * {@value #SWEEP_ABOVE} entries they are swept at most once a second, and past
 * {@value #MAX_ENTRIES} only locks are kept.
 */
final class LoginThrottle {

	private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

	static final int SWEEP_ABOVE = 10_000;

	static final int MAX_ENTRIES = 100_000;

	/** Longer user names count (and are logged) by their first this many characters. */
	static final int MAX_USER_LENGTH = 64;

	/**
	 * One key's history: failures since it was last forgotten, the last failure, the lock
	 * (null: none), the last success (pairs only) and the attempts being checked now.
	 */
	private record Entry(int failures, Instant lastFailure, Instant lockedUntil, Instant lastSuccess, int inFlight) {

		static final Entry NONE = new Entry(0, null, null, null, 0);

		boolean lockedAt(Instant now) {
			return this.lockedUntil != null && now.isBefore(this.lockedUntil);
		}

		boolean staleAt(Instant now, Duration window) {
			return this.inFlight == 0 && !lockedAt(now)
					&& (this.lastFailure == null || !now.isBefore(this.lastFailure.plus(window)))
					&& (this.lastSuccess == null || !now.isBefore(this.lastSuccess.plus(window)));
		}

		/**
		 * Whether one more attempt may be checked alongside those in flight: no more than
		 * the failures still allowed before the lock (at least one at a time), so that a
		 * burst of parallel guesses is checked no further than one by one would be.
		 */
		boolean admits(int max) {
			return max == 0 || this.inFlight == 0 || this.failures + this.inFlight < max;
		}

		Entry inFlight(int delta) {
			return new Entry(this.failures, this.lastFailure, this.lockedUntil, this.lastSuccess,
					Math.max(0, this.inFlight + delta));
		}

	}

	/**
	 * Why an attempt is refused, and for how long still: a lock, or ({@code inProgress})
	 * as many attempts being checked as failures are still allowed.
	 */
	record Refusal(Duration retryAfter, boolean wholeAddress, boolean inProgress) {

		/** Whole seconds, rounded up: what Retry-After says. */
		long seconds() {
			return Math.max(1, (this.retryAfter.toMillis() + 999) / 1000);
		}

	}

	/**
	 * An attempt let through: {@link #end()} once its credentials are checked (failures
	 * and successes are counted meanwhile, from Spring Security's events).
	 */
	final class Attempt {

		private final String pairKey;

		private final String block;

		private boolean ended;

		private Attempt(String pairKey, String block) {
			this.pairKey = pairKey;
			this.block = block;
		}

		void end() {
			if (this.ended) {
				return;
			}
			this.ended = true;
			if (this.pairKey != null) {
				LoginThrottle.this.pairs.computeIfPresent(this.pairKey, (k, e) -> e.inFlight(-1));
			}
			if (this.block != null) {
				LoginThrottle.this.addresses.computeIfPresent(this.block, (k, e) -> e.inFlight(-1));
			}
		}

	}

	/**
	 * A failure's outcome: failures counted for the user at the address and for the
	 * address, and the lock each is under now (null: none).
	 */
	record Failure(int failures, Duration lock, int addressFailures, Duration addressLock) {
	}

	private final SecuritySettings.Throttle settings;

	private final Clock clock;

	private final Map<String, Entry> pairs = new ConcurrentHashMap<>();

	private final Map<String, Entry> addresses = new ConcurrentHashMap<>();

	private final AtomicReference<Instant> lastSweep = new AtomicReference<>(Instant.MIN);

	LoginThrottle(SecuritySettings.Throttle settings, Clock clock) {
		this.settings = settings;
		this.clock = clock;
	}

	/**
	 * Lets {@code user} try to sign in from {@code address} now (the {@link Attempt} to
	 * end once checked), or says why not. A user who signed in from the address within
	 * the window and has failed there since is neither held by the address's lock nor
	 * counted in its attempts, and checked in parallel freely.
	 */
	Decision begin(String user, String address) {
		Instant now = this.clock.instant();
		String block = block(address);
		String key = pairKey(user, block);
		Entry known = this.pairs.getOrDefault(key, Entry.NONE);
		boolean signedInHereLately = known.lastSuccess() != null
				&& now.isBefore(known.lastSuccess().plus(this.settings.window()));
		boolean trusted = signedInHereLately && known.failures() == 0;
		Refusal[] refused = new Refusal[1];
		this.pairs.compute(key, (k, e) -> {
			Entry pair = (e != null) ? e : Entry.NONE;
			if (pair.lockedAt(now)) {
				refused[0] = new Refusal(Duration.between(now, pair.lockedUntil()), false, false);
				return e;
			}
			if (!trusted && !pair.admits(this.settings.maxFailures())) {
				refused[0] = new Refusal(Duration.ofSeconds(1), false, true);
				return e;
			}
			return pair.inFlight(trusted ? 0 : 1);
		});
		if (refused[0] != null) {
			return new Decision(null, refused[0]);
		}
		Attempt attempt = new Attempt(trusted ? null : key, signedInHereLately ? null : block);
		if (!signedInHereLately) {
			this.addresses.compute(block, (k, e) -> {
				Entry whole = (e != null) ? e : Entry.NONE;
				if (whole.lockedAt(now)) {
					refused[0] = new Refusal(Duration.between(now, whole.lockedUntil()), true, false);
					return e;
				}
				if (!whole.admits(this.settings.maxFailuresPerAddress())) {
					refused[0] = new Refusal(Duration.ofSeconds(1), true, true);
					return e;
				}
				return whole.inFlight(1);
			});
		}
		if (refused[0] != null) {
			// the pair's reservation goes back; the address reserved nothing
			new Attempt(attempt.pairKey, null).end();
			return new Decision(null, refused[0]);
		}
		return new Decision(attempt, null);
	}

	/** An attempt let through, or (attempt null) the refusal. */
	record Decision(Attempt attempt, Refusal refusal) {
	}

	/** Counts a failed login; returns what it led to. */
	Failure failed(String user, String address) {
		Instant now = this.clock.instant();
		String block = block(address);
		Entry pair = this.pairs.compute(pairKey(user, block), (k, e) -> failure(e, now, this.settings.maxFailures()));
		Entry whole = this.addresses.compute(block, (k, e) -> failure(e, now, this.settings.maxFailuresPerAddress()));
		sweep(now);
		return new Failure(pair.failures(), lockAt(pair, now), whole.failures(), lockAt(whole, now));
	}

	/**
	 * A successful login forgets its user's failures at its address (not the address's:
	 * one known password must not buy guesses at others).
	 */
	void succeeded(String user, String address) {
		Instant now = this.clock.instant();
		this.pairs.compute(pairKey(user, block(address)),
				(k, e) -> new Entry(0, null, null, now, (e != null) ? e.inFlight() : 0));
		sweep(now);
	}

	private Entry failure(Entry e, Instant now, int max) {
		Entry was = (e != null) ? e : Entry.NONE;
		Duration window = this.settings.window();
		int failures = (was.lastFailure() == null || !now.isBefore(was.lastFailure().plus(window))) ? 1
				: was.failures() + 1;
		Instant lockedUntil = was.lockedUntil();
		if (max > 0 && failures >= max) {
			lockedUntil = now.plus(lockFor(failures - max));
		}
		return new Entry(failures, now, lockedUntil, was.lastSuccess(), was.inFlight());
	}

	/** The lock after {@code beyond} failures past the limit: doubling, capped. */
	private Duration lockFor(int beyond) {
		Duration lock = this.settings.lockout();
		for (int i = 0; i < beyond && lock.compareTo(this.settings.maxLockout()) < 0; i++) {
			lock = lock.multipliedBy(2);
		}
		return (lock.compareTo(this.settings.maxLockout()) > 0) ? this.settings.maxLockout() : lock;
	}

	private static Duration lockAt(Entry e, Instant now) {
		return e.lockedAt(now) ? Duration.between(now, e.lockedUntil()) : null;
	}

	private void sweep(Instant now) {
		if (this.pairs.size() + this.addresses.size() <= SWEEP_ABOVE) {
			return;
		}
		Instant last = this.lastSweep.get();
		if (now.isBefore(last.plusSeconds(1)) || !this.lastSweep.compareAndSet(last, now)) {
			return;
		}
		Duration window = this.settings.window();
		this.pairs.values().removeIf(e -> e.staleAt(now, window));
		this.addresses.values().removeIf(e -> e.staleAt(now, window));
		if (this.pairs.size() + this.addresses.size() > MAX_ENTRIES) {
			log.warn("login throttle: {} users and addresses with recent failures; forgetting all but the locked",
					this.pairs.size() + this.addresses.size());
			this.pairs.values().removeIf(e -> !e.lockedAt(now));
			this.addresses.values().removeIf(e -> !e.lockedAt(now));
		}
	}

	/** Users at addresses and addresses remembered now. */
	int entries() {
		return this.pairs.size() + this.addresses.size();
	}

	/**
	 * A user name as counted and logged: lower case (user names are case-insensitive
	 * here), control characters replaced, cut to {@value #MAX_USER_LENGTH} characters.
	 */
	static String user(String name) {
		String n = (name != null) ? name : "";
		if (n.length() > MAX_USER_LENGTH) {
			n = n.substring(0, MAX_USER_LENGTH) + "…";
		}
		return n.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]", "?");
	}

	private static String pairKey(String user, String block) {
		return user(user).toLowerCase(Locale.ROOT) + "\u0000" + block;
	}

	/** An IPv4 address itself; an IPv6 address's /64. */
	static String block(String address) {
		if (address == null || address.indexOf(':') < 0 || !address.matches("[0-9A-Fa-f:.]+")) {
			return String.valueOf(address);
		}
		try {
			// a literal (Tomcat's remote address): no name is looked up
			byte[] bytes = InetAddress.getByName(address).getAddress();
			if (bytes.length != 16) {
				return InetAddress.getByAddress(bytes).getHostAddress();
			}
			return InetAddress.getByAddress(Arrays.copyOf(Arrays.copyOf(bytes, 8), 16)).getHostAddress() + "/64";
		}
		catch (UnknownHostException ex) {
			return address;
		}
	}

}

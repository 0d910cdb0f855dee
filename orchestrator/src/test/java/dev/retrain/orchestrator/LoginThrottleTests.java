package dev.retrain.orchestrator;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import dev.retrain.models.json.Json;

import static dev.retrain.orchestrator.ApiClient.ADMIN;
import static dev.retrain.orchestrator.ApiClient.OPERATOR;
import static dev.retrain.orchestrator.ApiClient.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed logins (HTTP Basic, the console's form, {@code X-API-Key}) are logged at WARN
 * with user, source address and mechanism but never the password, and throttled with the
 * default settings: 5 failures of one user from one address, or 20 from one address, lock
 * further attempts (the right password too) for 15 s with 429 and Retry-After; each
 * further failure doubles the lock up to 5 minutes, and every lock expires by itself. A
 * lock of one user at one address holds neither that user elsewhere nor a user who signed
 * in from that address recently; a burst of parallel guesses gets no more checks than
 * guesses one by one. Each test is a client of its own loopback address; time moves by
 * the application's clock, never by sleeping.
 */
@SpringBootTest(classes = RetrainApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT)
@Import(LoginThrottleTests.MovableClockConfiguration.class)
@ExtendWith(OutputCaptureExtension.class)
class LoginThrottleTests {

	static final TestDirs DIRS = TestDirs.create("login-throttle");

	@DynamicPropertySource
	static void dirs(DynamicPropertyRegistry registry) {
		DIRS.register(registry);
	}

	@LocalServerPort
	int port;

	@Autowired
	MovableClock clock;

	/** The system's clock, moved forward on demand: the application's only clock here. */
	@TestConfiguration(proxyBeanMethods = false)
	static class MovableClockConfiguration {

		@Bean
		@Primary
		MovableClock movableClock() {
			return new MovableClock();
		}

	}

	private FromAddress from(String address) {
		return new FromAddress(address, this.port);
	}

	private static void assertThrottled(FromAddress.Answer answer, long retryAfter) {
		assertThat(answer.status()).as(answer.body()).isEqualTo(429);
		assertThat(answer.header("Retry-After")).contains(Long.toString(retryAfter));
		assertThat(answer.header("Content-Type"))
			.hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
		JsonNode problem = Json.MAPPER.readTree(answer.body());
		assertThat(problem.get("type").asString()).isEqualTo("https://retrain.dev/problems/login-throttled");
		assertThat(problem.get("status").asInt()).isEqualTo(429);
		assertThat(problem.get("detail").asString()).contains("try again in " + retryAfter + " s");
	}

	private static List<String> warnings(CapturedOutput output, String address) {
		return output.getAll().lines().filter(l -> l.contains("failed login") && l.contains(address)).toList();
	}

	@Test
	void fiveWrongBasicPasswordsAreLoggedAndLockThatUserAtThatAddressFor15sEvenWithTheRightPassword(
			CapturedOutput output) throws Exception {
		FromAddress client = from("127.0.0.11");
		for (int i = 0; i < 5; i++) {
			assertThat(client.getAs("/api/pipelines", ADMIN, "guess-" + i).status()).isEqualTo(401);
		}

		assertThrottled(client.getAs("/api/pipelines", ADMIN, ADMIN + "-pw"), 15);
		assertThat(warnings(output, "127.0.0.11")).hasSize(5)
			.allSatisfy(l -> assertThat(l).contains("WARN")
				.contains("mechanism=basic")
				.contains("user='admin'")
				.contains("address=127.0.0.11")
				.doesNotContain("guess-"));
		assertThat(output.getAll()).doesNotContain("guess-").doesNotContain("admin-pw");

		this.clock.advance(Duration.ofSeconds(14));
		assertThrottled(client.getAs("/api/pipelines", ADMIN, ADMIN + "-pw"), 1);
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(client.getAs("/api/pipelines", ADMIN, ADMIN + "-pw").status()).isEqualTo(200);
	}

	@Test
	void aUserLockedAtOneAddressStillSignsInFromAnotherAndOthersStillSignInFromThere() throws Exception {
		FromAddress failing = from("127.0.0.12");
		for (int i = 0; i < 5; i++) {
			assertThat(failing.getAs("/api/pipelines", OPERATOR, "guess-" + i).status()).isEqualTo(401);
		}
		assertThat(failing.getAs("/api/pipelines", OPERATOR, OPERATOR + "-pw").status()).isEqualTo(429);

		assertThat(from("127.0.0.13").getAs("/api/pipelines", OPERATOR, OPERATOR + "-pw").status()).isEqualTo(200);
		assertThat(failing.getAs("/api/pipelines", VIEWER, VIEWER + "-pw").status()).isEqualTo(200);
	}

	@Test
	void anAddressTryingManyUsersIsLockedButAUserWhoSignedInFromThereKeepsWorking() throws Exception {
		FromAddress shared = from("127.0.0.14");
		assertThat(shared.getAs("/api/pipelines", VIEWER, VIEWER + "-pw").status()).isEqualTo(200);
		for (int i = 0; i < 20; i++) {
			assertThat(shared.getAs("/api/pipelines", "nobody-" + i, "guess").status()).isEqualTo(401);
		}

		assertThrottled(shared.getAs("/api/pipelines", ADMIN, ADMIN + "-pw"), 15);
		assertThat(shared.getAs("/api/pipelines", VIEWER, VIEWER + "-pw").status()).isEqualTo(200);
		assertThat(from("127.0.0.15").getAs("/api/pipelines", ADMIN, ADMIN + "-pw").status()).isEqualTo(200);
		this.clock.advance(Duration.ofSeconds(15));
		assertThat(shared.getAs("/api/pipelines", ADMIN, ADMIN + "-pw").status()).isEqualTo(200);
	}

	@Test
	void eachFailureAfterALockDoublesItUpTo5MinutesAndEvenTheLongestLockExpires() throws Exception {
		FromAddress client = from("127.0.0.16");
		for (int i = 0; i < 5; i++) {
			assertThat(client.getAs("/api/pipelines", ADMIN, "guess-" + i).status()).isEqualTo(401);
		}
		long lock = 15;
		for (long next : new long[] { 30, 60, 120, 240, 300, 300 }) {
			assertThrottled(client.getAs("/api/pipelines", ADMIN, ADMIN + "-pw"), lock);
			this.clock.advance(Duration.ofSeconds(lock));
			assertThat(client.getAs("/api/pipelines", ADMIN, "guess-again").status()).isEqualTo(401);
			lock = next;
		}
		assertThrottled(client.getAs("/api/pipelines", ADMIN, ADMIN + "-pw"), 300);

		this.clock.advance(Duration.ofMinutes(5));
		assertThat(client.getAs("/api/pipelines", ADMIN, ADMIN + "-pw").status()).isEqualTo(200);
		// a success forgets the failures: one more is not a lock
		assertThat(client.getAs("/api/pipelines", ADMIN, "typo").status()).isEqualTo(401);
		assertThat(client.getAs("/api/pipelines", ADMIN, ADMIN + "-pw").status()).isEqualTo(200);
	}

	@Test
	void wrongPasswordsSentAllAtOnceAreCheckedNoMoreThanFiveBeforeTheLock() throws Exception {
		FromAddress client = from("127.0.0.19");
		CountDownLatch start = new CountDownLatch(1);
		List<Callable<Integer>> burst = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			String guess = "burst-" + i;
			burst.add(() -> {
				start.await();
				return client.getAs("/api/pipelines", ADMIN, guess).status();
			});
		}
		ExecutorService senders = Executors.newFixedThreadPool(burst.size());
		Map<Integer, Integer> statuses = new TreeMap<>();
		try {
			List<Future<Integer>> answers = new ArrayList<>();
			for (Callable<Integer> c : burst) {
				answers.add(senders.submit(c));
			}
			start.countDown();
			for (Future<Integer> a : answers) {
				statuses.merge(a.get(), 1, Integer::sum);
			}
		}
		finally {
			senders.shutdownNow();
		}
		// an attempt beyond those in progress is refused (429, Retry-After 1) until they
		// are decided; then wrong ones one by one until the lock
		assertThat(statuses.keySet()).as("statuses %s", statuses).isSubsetOf(401, 429);
		int checked = statuses.getOrDefault(401, 0);
		while (client.getAs("/api/pipelines", ADMIN, "one-more").status() == 401) {
			checked++;
		}
		assertThat(checked).as("passwords checked; the burst got %s", statuses).isEqualTo(5);
	}

	@Test
	void wrongApiKeysAreLoggedWithoutTheKeyAndThrottledWhileTheRightKeyStillWorks(CapturedOutput output)
			throws Exception {
		FromAddress client = from("127.0.0.17");
		for (int i = 0; i < 5; i++) {
			assertThat(client.send("GET", "/api/pipelines", Map.of("X-API-Key", "stolen-key-" + i), null).status())
				.isEqualTo(401);
		}

		assertThrottled(client.send("GET", "/api/pipelines", Map.of("X-API-Key", "stolen-key-5"), null), 15);
		assertThat(warnings(output, "127.0.0.17")).hasSize(5)
			.allSatisfy(l -> assertThat(l).contains("WARN").contains("mechanism=api-key"));
		assertThat(output.getAll()).doesNotContain("stolen-key");
		assertThat(client.send("GET", "/api/pipelines", Map.of("X-API-Key", ApiClient.API_KEY), null).status())
			.isEqualTo(200);
	}

	@Test
	void fiveWrongConsolePasswordsAreLoggedAndTheLoginPageSaysWhenToTryAgainWith429(CapturedOutput output)
			throws Exception {
		FromAddress browser = from("127.0.0.18");
		for (int i = 0; i < 5; i++) {
			FromAddress.Answer failed = signIn(browser, OPERATOR, "guess-" + i);
			assertThat(failed.status()).isEqualTo(302);
			assertThat(failed.header("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login?error"));
		}
		assertThat(warnings(output, "127.0.0.18")).hasSize(5)
			.allSatisfy(l -> assertThat(l).contains("WARN")
				.contains("mechanism=form")
				.contains("user='operator'")
				.doesNotContain("guess-"));

		FromAddress.Answer refused = signIn(browser, OPERATOR, OPERATOR + "-pw");
		assertThat(refused.status()).isEqualTo(429);
		assertThat(refused.header("Retry-After")).contains("15");
		assertThat(refused.header("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
		assertThat(refused.body()).contains("id=\"login-throttled\"")
			.contains("Too many failed sign-ins")
			.contains("15 seconds")
			.contains("name=\"password\"");

		this.clock.advance(Duration.ofSeconds(15));
		FromAddress.Answer signedIn = signIn(browser, OPERATOR, OPERATOR + "-pw");
		assertThat(signedIn.status()).isEqualTo(302);
		assertThat(signedIn.header("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/console"));
	}

	/** The login page's form, posted with its session and CSRF token. */
	private static FromAddress.Answer signIn(FromAddress browser, String user, String password) throws IOException {
		FromAddress.Answer page = browser.send("GET", "/login", Map.of(), null);
		String cookie = page.headers("Set-Cookie")
			.stream()
			.filter(c -> c.startsWith("JSESSIONID="))
			.map(c -> c.substring(0, c.indexOf(';')))
			.findFirst()
			.orElseThrow();
		Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.body());
		assertThat(csrf.find()).as(page.body()).isTrue();
		return browser.send("POST", "/login", Map.of("Cookie", cookie),
				"username=" + user + "&password=" + password + "&_csrf=" + csrf.group(1));
	}

}

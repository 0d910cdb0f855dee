package dev.retrain.orchestrator;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static dev.retrain.orchestrator.ApiClient.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's session cookie is SameSite=Lax and HttpOnly; every console page carries a
 * Content-Security-Policy that allows scripts, styles and frames from the application
 * only (no inline script or style, nothing from elsewhere), which the templates keep to;
 * a backtest's report, a document of its own with inline script and styles, is sandboxed
 * and can reach nothing.
 */
class ConsoleHeadersTests extends OrchestratorTestSupport {

	private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();

	private HttpResponse<String> get(String path) throws Exception {
		return this.browser.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> signIn(String user) throws Exception {
		HttpResponse<String> page = get("/login");
		Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.body());
		assertThat(csrf.find()).isTrue();
		String form = "username=" + user + "&password=" + user + "-pw&_csrf="
				+ URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
		HttpResponse<String> signedIn = this.browser
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/login"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(signedIn.statusCode()).isEqualTo(302);
		return signedIn;
	}

	private static String sessionCookie(HttpResponse<String> r) {
		return r.headers()
			.allValues("Set-Cookie")
			.stream()
			.filter(c -> c.startsWith("JSESSIONID="))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no session cookie in " + r.headers()));
	}

	@Test
	void theSessionCookieIsSameSiteLaxAndHttpOnlyBeforeAndAfterSignIn() throws Exception {
		assertThat(sessionCookie(get("/login"))).contains("SameSite=Lax").contains("HttpOnly");
		// signing in changes the session's id: the new cookie is the same kind
		assertThat(sessionCookie(signIn(VIEWER))).contains("SameSite=Lax").contains("HttpOnly");
	}

	@Test
	void everyConsolePageAllowsScriptsStylesAndFramesFromTheApplicationOnly() throws Exception {
		assertThat(get("/login").headers().firstValue("Content-Security-Policy")).hasValueSatisfying(this::strict);
		signIn(VIEWER);
		for (String page : List.of("/console", "/console/backtests", "/console/audit", "/console/assets/console.css")) {
			HttpResponse<String> r = get(page);
			assertThat(r.statusCode()).as(page).isEqualTo(200);
			assertThat(r.headers().firstValue("Content-Security-Policy")).as(page).hasValueSatisfying(this::strict);
		}
	}

	private void strict(String policy) {
		assertThat(policy).contains("default-src 'self'")
			.contains("script-src 'self'")
			.contains("style-src 'self'")
			.contains("object-src 'none'")
			.contains("base-uri 'self'")
			.contains("form-action 'self'")
			.contains("frame-ancestors 'self'")
			.doesNotContain("unsafe")
			.doesNotContain("*");
	}

	@Test
	void aBacktestReportIsSandboxedAndCanReachNothing() throws Exception {
		signIn(VIEWER);
		HttpResponse<String> report = get("/console/backtests/1/report");
		assertThat(report.headers().firstValue("Content-Security-Policy"))
			.hasValueSatisfying(p -> assertThat(p).contains("sandbox allow-scripts")
				.contains("default-src 'none'")
				.contains("connect-src 'none'")
				.contains("form-action 'none'")
				.contains("frame-ancestors 'self'"));
	}

	@Test
	void noConsoleTemplateHasAnInlineScriptStyleOrEventHandler() throws Exception {
		Path templates = Path.of(ConsoleHeadersTests.class.getResource("/templates/console").toURI());
		Pattern inline = Pattern.compile(
				"<script(?![^>]*\\bsrc=)[^>]*>|<style\\b|\\sstyle=|\\sth:style|\\son[a-z]+=|javascript:",
				Pattern.CASE_INSENSITIVE);
		try (Stream<Path> files = Files.list(templates)) {
			for (Path file : files.toList()) {
				Matcher m = inline.matcher(Files.readString(file));
				boolean found = m.find();
				assertThat(found).as(file.getFileName() + ": " + (found ? m.group() : "")).isFalse();
			}
		}
	}

}

package dev.retrain.orchestrator.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Before the authentication filters: an attempt to sign in (the console's form post, HTTP
 * Basic, {@code X-API-Key}) that the {@link LoginThrottle} refuses is answered 429 with
 * {@code Retry-After}, and its credentials are not checked.
 */
final class LoginThrottleFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(LoginThrottleFilter.class);

	/** An attempt to sign in: how, and as whom. */
	record Attempt(String mechanism, String user) {
	}

	/** Answers a refused attempt (the status and Retry-After are set). */
	interface Refuse {

		void refuse(HttpServletRequest request, HttpServletResponse response, LoginThrottle.Refusal refusal)
				throws IOException, ServletException;

	}

	private final LoginThrottle throttle;

	private final Function<HttpServletRequest, Optional<Attempt>> attempts;

	private final Refuse refuse;

	LoginThrottleFilter(LoginThrottle throttle, Function<HttpServletRequest, Optional<Attempt>> attempts,
			Refuse refuse) {
		this.throttle = throttle;
		this.attempts = attempts;
		this.refuse = refuse;
	}

	/** The console's form: a post of the login page. */
	static Function<HttpServletRequest, Optional<Attempt>> form(String loginPage) {
		RequestMatcher post = PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, loginPage);
		return r -> post.matches(r) ? Optional.of(new Attempt(LoginDetails.FORM, r.getParameter("username")))
				: Optional.empty();
	}

	/**
	 * The API: an {@code X-API-Key} (as its key's name, or {@link ApiKeyFilter#UNKNOWN}),
	 * or HTTP Basic (as its user name).
	 */
	static Function<HttpServletRequest, Optional<Attempt>> api(List<SecuritySettings.ApiKey> keys) {
		return r -> {
			String key = r.getHeader(ApiKeyFilter.HEADER);
			if (key != null) {
				return Optional.of(new Attempt(LoginDetails.API_KEY, ApiKeyFilter.principal(keys, key)));
			}
			return basicUser(r.getHeader("Authorization")).map(u -> new Attempt(LoginDetails.BASIC, u));
		};
	}

	/** The user name of an HTTP Basic header; empty for none or a malformed one. */
	static Optional<String> basicUser(String header) {
		if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
			return Optional.empty();
		}
		try {
			String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
			int colon = decoded.indexOf(':');
			return (colon < 0) ? Optional.empty() : Optional.of(decoded.substring(0, colon));
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Optional<Attempt> attempt = this.attempts.apply(request);
		if (attempt.isEmpty()) {
			chain.doFilter(request, response);
			return;
		}
		LoginThrottle.Decision decision = this.throttle.begin(attempt.get().user(), request.getRemoteAddr());
		if (decision.attempt() != null) {
			try {
				chain.doFilter(request, response);
			}
			finally {
				decision.attempt().end();
			}
			return;
		}
		LoginThrottle.Refusal refusal = decision.refusal();
		log.warn("login refused while throttled: mechanism={} user='{}' address={} ({} {} for {} s)",
				attempt.get().mechanism(), LoginThrottle.user(attempt.get().user()), request.getRemoteAddr(),
				refusal.inProgress() ? "too many attempts in progress" : "locked",
				refusal.wholeAddress() ? "for every user from this address" : "for this user from this address",
				refusal.seconds());
		response.setStatus(429);
		response.setHeader("Retry-After", Long.toString(refusal.seconds()));
		this.refuse.refuse(request, response, refusal);
	}

}

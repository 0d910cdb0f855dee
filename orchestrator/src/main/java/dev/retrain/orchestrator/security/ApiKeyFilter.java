package dev.retrain.orchestrator.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.AuthenticationEventPublisher;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code X-API-Key} against the configured SHA-256 hashes (compared in
 * constant time), and publishes the outcome as Spring Security's authentication events
 * (for the log and the login throttle), like the other ways of signing in.
 */
class ApiKeyFilter extends OncePerRequestFilter {

	static final String HEADER = "X-API-Key";

	/** The user name of an attempt with a key that is not configured. */
	static final String UNKNOWN = "api-key:unknown";

	private final List<SecuritySettings.ApiKey> keys;

	private final AuthenticationEntryPoint entryPoint;

	private final AuthenticationEventPublisher events;

	ApiKeyFilter(List<SecuritySettings.ApiKey> keys, AuthenticationEntryPoint entryPoint,
			AuthenticationEventPublisher events) {
		this.keys = keys;
		this.entryPoint = entryPoint;
		this.events = events;
	}

	/** The configured key {@code key} is, if any. */
	static Optional<SecuritySettings.ApiKey> match(List<SecuritySettings.ApiKey> keys, String key) {
		byte[] hash = Credentials.hashApiKey(key).getBytes(StandardCharsets.US_ASCII);
		for (SecuritySettings.ApiKey k : keys) {
			if (MessageDigest.isEqual(hash, k.sha256().toLowerCase().getBytes(StandardCharsets.US_ASCII))) {
				return Optional.of(k);
			}
		}
		return Optional.empty();
	}

	/** The user name an attempt with {@code key} is counted and logged as. */
	static String principal(List<SecuritySettings.ApiKey> keys, String key) {
		return match(keys, key).map(k -> "api-key:" + k.name()).orElse(UNKNOWN);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String key = request.getHeader(HEADER);
		if (key == null) {
			chain.doFilter(request, response);
			return;
		}
		Optional<SecuritySettings.ApiKey> matched = match(this.keys, key);
		if (matched.isPresent()) {
			var authorities = matched.get()
				.roles()
				.stream()
				.map(r -> new SimpleGrantedAuthority("ROLE_" + r.toUpperCase()))
				.toList();
			UsernamePasswordAuthenticationToken authenticated = UsernamePasswordAuthenticationToken
				.authenticated("api-key:" + matched.get().name(), null, authorities);
			authenticated.setDetails(new LoginDetails(request, LoginDetails.API_KEY));
			SecurityContextHolder.getContext().setAuthentication(authenticated);
			this.events.publishAuthenticationSuccess(authenticated);
			chain.doFilter(request, response);
			return;
		}
		UsernamePasswordAuthenticationToken attempt = UsernamePasswordAuthenticationToken.unauthenticated(UNKNOWN,
				null);
		attempt.setDetails(new LoginDetails(request, LoginDetails.API_KEY));
		BadCredentialsException failure = new BadCredentialsException("unknown API key");
		this.events.publishAuthenticationFailure(failure, attempt);
		this.entryPoint.commence(request, response, failure);
	}

}

package dev.retrain.orchestrator.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code X-API-Key} against the configured SHA-256 hashes (compared in
 * constant time).
 */
class ApiKeyFilter extends OncePerRequestFilter {

	static final String HEADER = "X-API-Key";

	private final List<SecuritySettings.ApiKey> keys;

	private final AuthenticationEntryPoint entryPoint;

	ApiKeyFilter(List<SecuritySettings.ApiKey> keys, AuthenticationEntryPoint entryPoint) {
		this.keys = keys;
		this.entryPoint = entryPoint;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String key = request.getHeader(HEADER);
		if (key == null) {
			chain.doFilter(request, response);
			return;
		}
		byte[] hash = Credentials.hashApiKey(key).getBytes(StandardCharsets.US_ASCII);
		for (SecuritySettings.ApiKey k : this.keys) {
			if (MessageDigest.isEqual(hash, k.sha256().toLowerCase().getBytes(StandardCharsets.US_ASCII))) {
				var authorities = k.roles()
					.stream()
					.map(r -> new SimpleGrantedAuthority("ROLE_" + r.toUpperCase()))
					.toList();
				SecurityContextHolder.getContext()
					.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("api-key:" + k.name(), null,
							authorities));
				chain.doFilter(request, response);
				return;
			}
		}
		this.entryPoint.commence(request, response, new BadCredentialsException("unknown API key"));
	}

}

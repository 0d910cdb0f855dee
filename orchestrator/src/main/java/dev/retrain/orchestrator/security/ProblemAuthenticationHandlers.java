package dev.retrain.orchestrator.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * 401, 403 and 429 (a login refused by the {@link LoginThrottle}) as RFC 9457 problem
 * details, like every other error of the API.
 */
class ProblemAuthenticationHandlers implements AuthenticationEntryPoint, AccessDeniedHandler {

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
			throws IOException {
		response.setHeader("WWW-Authenticate", "Basic realm=\"retrain\"");
		write(response, 401, "unauthorized", "Unauthorized",
				"credentials are missing or wrong: use HTTP Basic or the X-API-Key header", request.getRequestURI());
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException ex)
			throws IOException {
		write(response, 403, "forbidden", "Forbidden", "your role does not allow this", request.getRequestURI());
	}

	/**
	 * A login attempt refused while its user at its address, or its address, is locked
	 * (status and Retry-After are set).
	 */
	void throttled(HttpServletRequest request, HttpServletResponse response, LoginThrottle.Refusal refusal)
			throws IOException {
		write(response, 429, "login-throttled", "Too many failed logins",
				(refusal.inProgress() ? "too many login attempts in progress " : "too many failed logins ")
						+ (refusal.wholeAddress() ? "from your address" : "for this user from your address")
						+ ": try again in " + refusal.seconds() + " s",
				request.getRequestURI());
	}

	private static void write(HttpServletResponse response, int status, String type, String title, String detail,
			String instance) throws IOException {
		response.setStatus(status);
		response.setContentType("application/problem+json");
		String body = "{\"type\":\"https://retrain.dev/problems/" + type + "\",\"title\":\"" + title + "\",\"status\":"
				+ status + ",\"detail\":\"" + detail + "\",\"instance\":\"" + instance.replaceAll("[\"\\\\]", "")
				+ "\"}";
		response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
	}

}

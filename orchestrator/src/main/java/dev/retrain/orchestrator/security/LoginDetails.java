package dev.retrain.orchestrator.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * The details of a login attempt: the source address (and session) as Spring Security
 * records them, and the mechanism it came through, for the log and the throttle.
 */
final class LoginDetails extends WebAuthenticationDetails {

	static final String FORM = "form";

	static final String BASIC = "basic";

	static final String API_KEY = "api-key";

	private final String mechanism;

	LoginDetails(HttpServletRequest request, String mechanism) {
		super(request);
		this.mechanism = mechanism;
	}

	String mechanism() {
		return this.mechanism;
	}

	@Override
	public boolean equals(Object other) {
		return super.equals(other) && other instanceof LoginDetails d && this.mechanism.equals(d.mechanism);
	}

	@Override
	public int hashCode() {
		return 31 * super.hashCode() + this.mechanism.hashCode();
	}

}

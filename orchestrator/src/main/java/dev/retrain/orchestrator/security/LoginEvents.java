package dev.retrain.orchestrator.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.core.Authentication;

/**
 * Spring Security's authentication events (HTTP Basic and the console's form through its
 * authentication manager, API keys through {@link ApiKeyFilter}): every failed login is
 * logged at WARN with its user name, source address and mechanism, never the password or
 * key, and counted by the {@link LoginThrottle}; a success forgets its user's failures at
 * its address.
 */
final class LoginEvents {

	private static final Logger log = LoggerFactory.getLogger(LoginEvents.class);

	private final LoginThrottle throttle;

	LoginEvents(LoginThrottle throttle) {
		this.throttle = throttle;
	}

	@EventListener
	void failed(AbstractAuthenticationFailureEvent event) {
		Authentication attempt = event.getAuthentication();
		String user = LoginThrottle.user(attempt.getName());
		if (!(attempt.getDetails() instanceof LoginDetails details)) {
			log.warn("failed login: mechanism=unknown user='{}' ({})", user, event.getException().getMessage());
			return;
		}
		LoginThrottle.Failure f = this.throttle.failed(user, details.getRemoteAddress());
		log.warn(
				"failed login: mechanism={} user='{}' address={} ({}; failure {} of this user from this address{}, "
						+ "{} from this address{})",
				details.mechanism(), user, details.getRemoteAddress(), event.getException().getMessage(), f.failures(),
				(f.lock() != null) ? ", locked for " + f.lock().toSeconds() + " s" : "", f.addressFailures(),
				(f.addressLock() != null) ? ", locked for " + f.addressLock().toSeconds() + " s" : "");
	}

	@EventListener
	void succeeded(AuthenticationSuccessEvent event) {
		Authentication signedIn = event.getAuthentication();
		if (signedIn.getDetails() instanceof LoginDetails details) {
			this.throttle.succeeded(signedIn.getName(), details.getRemoteAddress());
		}
	}

}

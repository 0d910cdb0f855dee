package dev.retrain.orchestrator.security;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.authentication.AuthenticationEventPublisher;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Health and the API description are open; every other endpoint needs a user. Reading
 * needs {@code viewer}; launching, stopping, restarting, schedules, drift checks and
 * events, approvals need {@code operator}; promotion, rollback, forced promotion,
 * aliases, retention and reloads need {@code admin}. The API is stateless (no sessions,
 * so no CSRF tokens): every request carries its credentials. The console has its own
 * chain: a login form, a session and CSRF tokens. Failed logins of both are logged and
 * throttled ({@link LoginThrottle}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SecuritySettings.class)
class SecurityConfiguration {

	private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

	/**
	 * What console pages may load: scripts, styles, frames and requests of the
	 * application only; no inline script, style or event handler, no plugin, no foreign
	 * form target; framed only by the console itself.
	 */
	static final String CONSOLE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; "
			+ "base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

	/**
	 * A backtest's report, a document of its own with inline script and styles (also
	 * opened on its own): sandboxed (an origin of its own: no cookies, no console), its
	 * scripts may only redraw it.
	 */
	static final String REPORT_POLICY = "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
			+ "style-src 'unsafe-inline'; img-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'; "
			+ "frame-ancestors 'self'";

	/**
	 * Where the console renders a refused login (429), after the throttle forwarded
	 * there.
	 */
	static final String LOGIN_THROTTLED = "/login/throttled";

	/**
	 * The web console: a login form for the same users and roles, a session for the
	 * browser and a CSRF token on every form. Its pages and actions take the roles of the
	 * API operations they perform ({@link ApiAccess#CONSOLE_RULES}; the console hides
	 * what a role may not do, this refuses it anyway).
	 */
	@Bean
	@Order(1)
	SecurityFilterChain console(HttpSecurity http, LoginThrottle throttle) throws Exception {
		RequestMatcher report = PathPatternRequestMatcher.withDefaults().matcher("/console/backtests/*/report");
		LoginThrottleFilter throttled = new LoginThrottleFilter(throttle, LoginThrottleFilter.form("/login"), (request,
				response, refusal) -> request.getRequestDispatcher(LOGIN_THROTTLED).forward(request, response));
		http.securityMatcher("/", "/console", "/console/**", "/login", LOGIN_THROTTLED, "/logout", "/webjars/**")
			// a backtest's report is shown in a frame of its own page
			.headers(h -> h.frameOptions(f -> f.sameOrigin())
				.addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(report,
						new ContentSecurityPolicyHeaderWriter(REPORT_POLICY)))
				.addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(new NegatedRequestMatcher(report),
						new ContentSecurityPolicyHeaderWriter(CONSOLE_POLICY))))
			.formLogin(f -> f.loginPage("/login")
				.authenticationDetailsSource(r -> new LoginDetails(r, LoginDetails.FORM))
				.defaultSuccessUrl("/console", false)
				.permitAll())
			.addFilterBefore(throttled, UsernamePasswordAuthenticationFilter.class)
			.logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?logout").permitAll())
			.authorizeHttpRequests(a -> {
				a.requestMatchers("/webjars/**", "/console/assets/**", LOGIN_THROTTLED).permitAll();
				for (ApiAccess.ConsoleRule r : ApiAccess.CONSOLE_RULES) {
					a.requestMatchers(r.method(), r.patterns().toArray(String[]::new))
						.hasRole(ApiAccess.authority(r.role()));
				}
				a.anyRequest().denyAll();
			});
		return http.build();
	}

	@Bean
	SecurityFilterChain api(HttpSecurity http, SecuritySettings settings, LoginThrottle throttle,
			AuthenticationEventPublisher events) throws Exception {
		ProblemAuthenticationHandlers problems = new ProblemAuthenticationHandlers();
		http.csrf(c -> c.disable())
			.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.httpBasic(b -> b.authenticationEntryPoint(problems)
				.authenticationDetailsSource(r -> new LoginDetails(r, LoginDetails.BASIC)))
			.exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
			.addFilterBefore(new ApiKeyFilter(settings.apiKeys(), problems, events), BasicAuthenticationFilter.class)
			.addFilterBefore(
					new LoginThrottleFilter(throttle, LoginThrottleFilter.api(settings.apiKeys()), problems::throttled),
					ApiKeyFilter.class)
			.authorizeHttpRequests(a -> {
				for (ApiAccess.Rule r : ApiAccess.RULES) {
					String[] patterns = r.patterns().toArray(String[]::new);
					if (r.methods().isEmpty()) {
						allow(a.requestMatchers(patterns), r.role());
					}
					for (HttpMethod method : r.methods()) {
						allow(a.requestMatchers(method, patterns), r.role());
					}
				}
				a.anyRequest().denyAll();
			});
		return http.build();
	}

	private static void allow(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizedUrl matched, String role) {
		if (ApiAccess.OPEN.equals(role)) {
			matched.permitAll();
		}
		else {
			matched.hasRole(ApiAccess.authority(role));
		}
	}

	@Bean
	LoginThrottle loginThrottle(SecuritySettings settings, Clock clock) {
		return new LoginThrottle(settings.loginThrottle(), clock);
	}

	@Bean
	LoginEvents loginEvents(LoginThrottle throttle) {
		return new LoginEvents(throttle);
	}

	@Bean
	static RoleHierarchy roleHierarchy() {
		return RoleHierarchyImpl.fromHierarchy(ApiAccess.grantedAuthority(ApiAccess.ADMIN) + " > "
				+ ApiAccess.grantedAuthority(ApiAccess.OPERATOR) + "\n" + ApiAccess.grantedAuthority(ApiAccess.OPERATOR)
				+ " > " + ApiAccess.grantedAuthority(ApiAccess.VIEWER));
	}

	/**
	 * bcrypt (Spring Security's delegating encoder), with a match remembered for
	 * {@code retrain.security.verified-password-cache} (5 minutes; 0 checks bcrypt on
	 * every request): see {@link VerifiedPasswords}.
	 */
	@Bean
	PasswordEncoder passwordEncoder(@Value("${retrain.security.verified-password-cache:5m}") Duration cache,
			Clock clock) {
		return new VerifiedPasswords(PasswordEncoderFactories.createDelegatingPasswordEncoder(), cache, clock);
	}

	/**
	 * The configured users. With none configured (and no API keys), an {@code admin} with
	 * a random password is created for this start only and the password printed once:
	 * nothing works with a password known in advance.
	 */
	@Bean
	UserDetailsService users(SecuritySettings settings, PasswordEncoder encoder) {
		List<UserDetails> users = new ArrayList<>();
		for (SecuritySettings.User u : settings.users()) {
			if (u.password() == null || !u.password().startsWith("{") || u.password().startsWith("{noop}")) {
				throw new IllegalStateException("retrain.security.users '" + u.name()
						+ "': the password must be an encoded hash such as {bcrypt}... (java -jar orchestrator.jar hash-password)");
			}
			users.add(User.withUsername(u.name())
				.password(u.password())
				.roles(u.roles().stream().map(String::toUpperCase).toArray(String[]::new))
				.build());
		}
		if (users.isEmpty() && settings.apiKeys().isEmpty()) {
			byte[] bytes = new byte[18];
			new SecureRandom().nextBytes(bytes);
			String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
			users.add(User.withUsername("admin").password(encoder.encode(password)).roles("ADMIN").build());
			GeneratedPassword.set(password);
			log.warn("No users are configured (retrain.security.users): created user 'admin' with the password {} "
					+ "for this start only", password);
		}
		return new InMemoryUserDetailsManager(users);
	}

}

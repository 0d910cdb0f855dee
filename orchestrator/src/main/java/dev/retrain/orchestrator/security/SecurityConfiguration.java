package dev.retrain.orchestrator.security;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;

/**
 * Health and the API description are open; every other endpoint needs a user. Reading
 * needs {@code viewer}; launching, stopping, restarting, schedules, drift checks and
 * events, approvals need {@code operator}; promotion, rollback, forced promotion,
 * aliases, retention and reloads need {@code admin}. The API is stateless (no sessions,
 * so no CSRF tokens): every request carries its credentials. The console has its own
 * chain: a login form, a session and CSRF tokens.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SecuritySettings.class)
class SecurityConfiguration {

	private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

	/**
	 * The web console: a login form for the same users and roles, a session for the
	 * browser and a CSRF token on every form. Its pages and actions take the roles of the
	 * API operations they perform ({@link ApiAccess#CONSOLE_RULES}; the console hides
	 * what a role may not do, this refuses it anyway).
	 */
	@Bean
	@Order(1)
	SecurityFilterChain console(HttpSecurity http) throws Exception {
		http.securityMatcher("/", "/console", "/console/**", "/login", "/logout", "/webjars/**")
			// a backtest's report is shown in a frame of its own page
			.headers(h -> h.frameOptions(f -> f.sameOrigin()))
			.formLogin(f -> f.loginPage("/login").defaultSuccessUrl("/console", false).permitAll())
			.logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?logout").permitAll())
			.authorizeHttpRequests(a -> {
				a.requestMatchers("/webjars/**", "/console/assets/**").permitAll();
				for (ApiAccess.ConsoleRule r : ApiAccess.CONSOLE_RULES) {
					a.requestMatchers(r.method(), r.patterns().toArray(String[]::new))
						.hasRole(ApiAccess.authority(r.role()));
				}
				a.anyRequest().denyAll();
			});
		return http.build();
	}

	@Bean
	SecurityFilterChain api(HttpSecurity http, SecuritySettings settings) throws Exception {
		ProblemAuthenticationHandlers problems = new ProblemAuthenticationHandlers();
		http.csrf(c -> c.disable())
			.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.httpBasic(b -> b.authenticationEntryPoint(problems))
			.exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
			.addFilterBefore(new ApiKeyFilter(settings.apiKeys(), problems), BasicAuthenticationFilter.class)
			.authorizeHttpRequests(a -> {
				for (ApiAccess.Rule r : ApiAccess.RULES) {
					String[] patterns = r.patterns().toArray(String[]::new);
					var matched = (r.method() != null) ? a.requestMatchers(r.method(), patterns)
							: a.requestMatchers(patterns);
					if (ApiAccess.OPEN.equals(r.role())) {
						matched.permitAll();
					}
					else {
						matched.hasRole(ApiAccess.authority(r.role()));
					}
				}
				a.anyRequest().denyAll();
			});
		return http.build();
	}

	@Bean
	static RoleHierarchy roleHierarchy() {
		return RoleHierarchyImpl.fromHierarchy(ApiAccess.grantedAuthority(ApiAccess.ADMIN) + " > "
				+ ApiAccess.grantedAuthority(ApiAccess.OPERATOR) + "\n" + ApiAccess.grantedAuthority(ApiAccess.OPERATOR)
				+ " > " + ApiAccess.grantedAuthority(ApiAccess.VIEWER));
	}

	@Bean
	PasswordEncoder passwordEncoder() {
		return PasswordEncoderFactories.createDelegatingPasswordEncoder();
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

package dev.retrain.orchestrator.security;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Who may call what in the REST API, as one ordered table: the first rule whose method
 * and pattern match decides. The security filter chain is built from it, and the OpenAPI
 * document states each operation's role from it, so the two cannot disagree. The
 * console's pages and forms take the roles of the API operations they perform
 * ({@link #CONSOLE_RULES}): its chain is built from those, and its pages show what the
 * signed-in user's role reaches.
 */
public final class ApiAccess {

	/** No credentials needed. */
	public static final String OPEN = "open";

	/** Reads. */
	public static final String VIEWER = "viewer";

	/** Launches, stops, restarts, schedules, drift checks and events, approvals. */
	public static final String OPERATOR = "operator";

	/** Promotion, rollback, forced promotion, aliases, retention and reloads. */
	public static final String ADMIN = "admin";

	/**
	 * One rule: requests with {@code method} (null: any) to one of {@code patterns} need
	 * {@code role} ({@link #OPEN}: none). A rule for GET covers HEAD too: the same answer
	 * without its body (a poller checking an ETag).
	 */
	public record Rule(HttpMethod method, List<String> patterns, String role) {

		/** The methods the rule covers; empty: any. */
		public List<HttpMethod> methods() {
			if (this.method == null) {
				return List.of();
			}
			return HttpMethod.GET.equals(this.method) ? List.of(HttpMethod.GET, HttpMethod.HEAD) : List.of(this.method);
		}

	}

	/** The rules, in the order they are tried. */
	public static final List<Rule> RULES = List.of(
			new Rule(null,
					List.of("/actuator/health", "/actuator/health/**", "/v3/api-docs", "/v3/api-docs/**",
							"/swagger-ui.html", "/swagger-ui/**", "/error"),
					OPEN),
			new Rule(HttpMethod.GET, List.of("/api/**", "/actuator/**"), VIEWER),
			new Rule(HttpMethod.POST, List.of("/api/pipelines/validate"), VIEWER),
			new Rule(HttpMethod.POST,
					List.of("/api/models/*/promote", "/api/models/*/rollback", "/api/models/*/force-promote",
							"/api/models/*/retention", "/api/pipelines/reload"),
					ADMIN),
			new Rule(HttpMethod.PUT, List.of("/api/models/*/aliases/*"), ADMIN),
			new Rule(HttpMethod.DELETE, List.of("/api/**"), ADMIN),
			new Rule(HttpMethod.POST, List.of("/api/**"), OPERATOR));

	/**
	 * A console request: {@code method} to one of {@code patterns} performs the API
	 * operation {@code api} (a path template as in the OpenAPI document) and needs its
	 * role.
	 */
	public record ConsoleRule(HttpMethod method, List<String> patterns, String api) {

		public String role() {
			return roleFor(this.method.name(), this.api)
				.orElseThrow(() -> new IllegalStateException("no API rule for " + this.method + " " + this.api));
		}

	}

	/** The console's pages and forms, in the order they are tried. */
	public static final List<ConsoleRule> CONSOLE_RULES = List.of(
			new ConsoleRule(HttpMethod.GET, List.of("/", "/console", "/console/**"), "/api/pipelines"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/models/*/promote"), "/api/models/{name}/promote"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/models/*/rollback"), "/api/models/{name}/rollback"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/models/*/versions/*/approve"),
					"/api/models/{name}/versions/{version}/approve"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/models/*/versions/*/reject"),
					"/api/models/{name}/versions/{version}/reject"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/pipelines/*/runs"), "/api/pipelines/{name}/runs"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/drift/*/checks"), "/api/pipelines/{name}/drift-checks"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/runs/*/stop"), "/api/runs/{id}/stop"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/runs/*/restart"), "/api/runs/{id}/restart"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/schedules/*/*/pause"),
					"/api/schedules/{kind}/{pipeline}/pause"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/schedules/*/*/resume"),
					"/api/schedules/{kind}/{pipeline}/resume"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/schedules/*/*/trigger"),
					"/api/schedules/{kind}/{pipeline}/trigger"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/backtests"), "/api/backtests"),
			new ConsoleRule(HttpMethod.POST, List.of("/console/backtests/*/stop"), "/api/backtests/{id}/stop"),
			// any other form (an unknown verdict or schedule action, refused by its
			// page):
			// as any other POST of the API
			new ConsoleRule(HttpMethod.POST, List.of("/console/**"), "/api/{any}"));

	private static final PathPatternParser PARSER = PathPatternParser.defaultInstance;

	private ApiAccess() {
	}

	/**
	 * The role an operation of the OpenAPI document needs: {@code path} is its template
	 * ({@code /api/models/{name}/promote}); empty where no rule matches (refused).
	 */
	public static Optional<String> roleFor(String method, String path) {
		String concrete = path.replaceAll("\\{[^/}]+}", "x");
		HttpMethod m = HttpMethod.valueOf(method.toUpperCase(Locale.ROOT));
		for (Rule r : RULES) {
			if (r.method() != null && !r.methods().contains(m)) {
				continue;
			}
			for (String p : r.patterns()) {
				PathPattern pattern = PARSER.parse(p);
				if (pattern.matches(PathContainer.parsePath(concrete))) {
					return Optional.of(r.role());
				}
			}
		}
		return Optional.empty();
	}

	/** Spring Security's name of a role of this table (for {@code hasRole}). */
	static String authority(String role) {
		return role.toUpperCase(Locale.ROOT);
	}

	/** The granted authority a user with a role of this table holds. */
	public static String grantedAuthority(String role) {
		return "ROLE_" + authority(role);
	}

}

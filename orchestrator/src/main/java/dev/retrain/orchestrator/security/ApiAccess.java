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
 * document states each operation's role from it, so the two cannot disagree.
 */
public final class ApiAccess {

	/** No credentials needed. */
	public static final String OPEN = "open";

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
			new Rule(HttpMethod.GET, List.of("/api/**", "/actuator/**"), "viewer"),
			new Rule(HttpMethod.POST, List.of("/api/pipelines/validate"), "viewer"),
			new Rule(HttpMethod.POST,
					List.of("/api/models/*/promote", "/api/models/*/rollback", "/api/models/*/force-promote",
							"/api/models/*/retention", "/api/pipelines/reload"),
					"admin"),
			new Rule(HttpMethod.PUT, List.of("/api/models/*/aliases/*"), "admin"),
			new Rule(HttpMethod.DELETE, List.of("/api/**"), "admin"),
			new Rule(HttpMethod.POST, List.of("/api/**"), "operator"));

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

	/** Spring Security's name of a role of this table. */
	static String authority(String role) {
		return role.toUpperCase(Locale.ROOT);
	}

}

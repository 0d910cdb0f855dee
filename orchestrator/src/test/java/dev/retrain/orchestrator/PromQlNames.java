package dev.retrain.orchestrator;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric and label names a PromQL expression uses: enough of the grammar for the
 * dashboards and rules of deploy/observability (selectors, aggregations with by/without,
 * vector matching with on/ignoring/group_left/group_right, label_values), not a parser.
 */
record PromQlNames(Set<String> metrics, Set<String> labels) {

	private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
			"and", "or", "unless", "bool", "offset", "inf", "nan");

	private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'");

	private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");

	private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)}");

	private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");

	private static final Pattern GROUPING = Pattern
		.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");

	private static final Pattern LABEL_VALUES = Pattern
		.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

	private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

	static PromQlNames of(String expr) {
		Set<String> metrics = new LinkedHashSet<>();
		Set<String> labels = new LinkedHashSet<>();
		String e = STRING.matcher(expr).replaceAll("\"\"");
		e = RANGE.matcher(e).replaceAll("");
		Matcher lv = LABEL_VALUES.matcher(e);
		while (lv.find()) {
			metrics.add(lv.group(1));
			labels.add(lv.group(2));
		}
		e = lv.replaceAll("");
		Matcher sel = SELECTOR.matcher(e);
		while (sel.find()) {
			Matcher m = MATCHER_LABEL.matcher(sel.group(1));
			while (m.find()) {
				labels.add(m.group(1));
			}
		}
		e = sel.replaceAll(" ");
		Matcher g = GROUPING.matcher(e);
		while (g.find()) {
			for (String l : g.group(2).split(",")) {
				if (!l.isBlank()) {
					labels.add(l.trim());
				}
			}
		}
		e = g.replaceAll(" ");
		Matcher id = IDENTIFIER.matcher(e);
		while (id.find()) {
			boolean function = id.group(2) != null;
			String name = id.group(1);
			if (!function && !KEYWORDS.contains(name)) {
				metrics.add(name);
			}
		}
		return new PromQlNames(metrics, labels);
	}

	/**
	 * The names of a Prometheus text exposition: each metric with the labels it carries.
	 */
	static Map<String, Set<String>> exported(String exposition) {
		Map<String, Set<String>> out = new java.util.TreeMap<>();
		for (String line : exposition.split("\n")) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			int brace = line.indexOf('{');
			int space = line.indexOf(' ');
			String name = line.substring(0, (brace >= 0 && brace < space) ? brace : space);
			Set<String> labels = out.computeIfAbsent(name, k -> new LinkedHashSet<>());
			if (brace >= 0 && brace < space) {
				Matcher m = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"")
					.matcher(line.substring(brace, line.indexOf('}')));
				while (m.find()) {
					labels.add(m.group(1));
				}
			}
		}
		return out;
	}

}

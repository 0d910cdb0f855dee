package dev.retrain.orchestrator.console;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.retrain.models.drift.Histogram;

/**
 * Small charts drawn on the server as SVG: a page with 200 sparklines sends 200 short
 * paths, not a chart library's work for the browser.
 */
final class Svg {

	private Svg() {
	}

	/** A sparkline of {@code values} (null or fewer than two: nothing). */
	static String sparkline(List<Double> values, int width, int height) {
		if (values == null || values.size() < 2) {
			return "";
		}
		double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
		double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
		double span = (max - min > 1e-12) ? max - min : 1;
		StringBuilder points = new StringBuilder();
		for (int i = 0; i < values.size(); i++) {
			double x = 1 + (width - 2) * i / (double) (values.size() - 1);
			double y = 1 + (height - 2) * (1 - (values.get(i) - min) / span);
			points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
		}
		return String.format(Locale.ROOT,
				"<svg class=\"spark\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
						+ "aria-label=\"%s over %d versions\"><polyline fill=\"none\" stroke=\"currentColor\" "
						+ "stroke-width=\"1.5\" points=\"%s\"/></svg>",
				width, height, width, height, "metric", values.size(), points.toString().trim());
	}

	/**
	 * Reference (grey) against current (coloured; red when {@code drifted}) share per
	 * bin, side by side; each bin's exact shares in its tooltip.
	 */
	static String histogram(Histogram h, boolean drifted, int width, int height) {
		if (h == null || h.bins().isEmpty()) {
			return "";
		}
		int n = h.bins().size();
		double max = 1e-12;
		for (int i = 0; i < n; i++) {
			max = Math.max(max, Math.max(h.reference().get(i), h.current().get(i)));
		}
		double slot = (width - 2) / (double) n;
		double bar = Math.max(1, slot * 0.42);
		StringBuilder out = new StringBuilder(
				String.format(Locale.ROOT,
						"<svg class=\"hist\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
								+ "aria-label=\"reference against current over %d bins\">",
						width, height, width, height, n));
		for (int i = 0; i < n; i++) {
			double x = 1 + i * slot;
			double r = h.reference().get(i);
			double c = h.current().get(i);
			double rh = (height - 2) * r / max;
			double ch = (height - 2) * c / max;
			out.append(String.format(Locale.ROOT,
					"<g><title>%s: reference %.1f%%, current %.1f%%</title>"
							+ "<rect class=\"ref\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>"
							+ "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></g>",
					escape(h.bins().get(i)), 100 * r, 100 * c, x, height - 1 - rh, bar, rh, drifted ? "cur bad" : "cur",
					x + bar, height - 1 - ch, bar, ch));
		}
		return out.append("</svg>").toString();
	}

	/**
	 * A statistic over checks as a multiple of its threshold, oldest first, with the
	 * threshold as a dashed line: above the line is where a check called it drifted.
	 */
	static String againstThreshold(List<Double> ratios, int width, int height) {
		if (ratios == null || ratios.size() < 2) {
			return "";
		}
		double max = Math.max(1.5, ratios.stream().mapToDouble(Double::doubleValue).max().orElse(1.5));
		StringBuilder points = new StringBuilder();
		for (int i = 0; i < ratios.size(); i++) {
			double x = 1 + (width - 2) * i / (double) (ratios.size() - 1);
			double y = 1 + (height - 2) * (1 - ratios.get(i) / max);
			points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
		}
		double line = 1 + (height - 2) * (1 - 1 / max);
		return String.format(Locale.ROOT,
				"<svg class=\"trend\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
						+ "aria-label=\"statistic over its threshold in %d checks\">"
						+ "<line class=\"limit\" x1=\"0\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
						+ "<polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" points=\"%s\"/></svg>",
				width, height, width, height, ratios.size(), width, line, line, points.toString().trim());
	}

	/** The colours of a committee's members, by position in {@link #weights}' legend. */
	static final List<String> PALETTE = List.of("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2",
			"#db2777", "#4b5563");

	/** The colour of the {@code i}-th version in {@code versions} (sorted ascending). */
	static String colour(int i) {
		return PALETTE.get(i % PALETTE.size());
	}

	/**
	 * A committee's weights over its changes, oldest first: one line per version (in the
	 * palette's colours, by the version's position in {@code versions}), 0 at the bottom
	 * and 1 at the top; a version is drawn only over the changes where it was a member,
	 * and each line's tooltip names its version.
	 */
	static String weights(List<Map<Integer, Double>> changes, List<Integer> versions, int width, int height) {
		if (changes == null || changes.isEmpty()) {
			return "";
		}
		int n = changes.size();
		StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
				"<svg class=\"weights\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
						+ "aria-label=\"weights of %d versions over %d changes\">"
						+ "<line class=\"axis\" x1=\"0\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>",
				width, height, width, height, versions.size(), n, width, height - 1, height - 1));
		for (int vi = 0; vi < versions.size(); vi++) {
			int version = versions.get(vi);
			StringBuilder points = new StringBuilder();
			int drawn = 0;
			for (int i = 0; i < n; i++) {
				Double w = changes.get(i).get(version);
				if (w == null) {
					continue;
				}
				double x = (n == 1) ? width / 2.0 : 2 + (width - 4) * i / (double) (n - 1);
				double y = 2 + (height - 4) * (1 - w);
				points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
				drawn++;
			}
			if (drawn == 0) {
				continue;
			}
			String shape = (drawn == 1)
					? String.format(Locale.ROOT, "<circle r=\"2.5\" fill=\"%s\" cx=\"%s\" cy=\"%s\"/>", colour(vi),
							points.toString().trim().split(",")[0], points.toString().trim().split(",")[1])
					: String.format(Locale.ROOT,
							"<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>", colour(vi),
							points.toString().trim());
			out.append("<g class=\"member\" data-version=\"")
				.append(version)
				.append("\"><title>v")
				.append(version)
				.append("</title>")
				.append(shape)
				.append("</g>");
		}
		return out.append("</svg>").toString();
	}

	private static String escape(String s) {
		return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}

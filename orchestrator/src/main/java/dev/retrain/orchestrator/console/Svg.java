package dev.retrain.orchestrator.console;

import java.util.List;
import java.util.Locale;

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

	private static String escape(String s) {
		return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}

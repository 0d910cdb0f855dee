package dev.retrain.orchestrator.console;

import java.util.List;
import java.util.Locale;

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

}

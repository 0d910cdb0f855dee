package dev.retrain.jobs.backtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import dev.retrain.jobs.backtest.BacktestReport.Period;
import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.models.json.Json;

/**
 * Writes a backtest report as {@code report.json}, {@code periods.csv} and a
 * self-contained {@code report.html}.
 */
public final class ReportWriter {

	static final String[] COLORS = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b" };

	private ReportWriter() {
	}

	public static void write(BacktestReport report, Path dir) throws IOException {
		Files.createDirectories(dir);
		Json.writeCompact(dir.resolve("report.json"), report);
		StringBuilder csv = new StringBuilder(
				"policy,period_start,period_end,rows,metric,champion_version,retrained,promoted,drift_status,drift_outcome,why\n");
		for (PolicyResult p : report.policies()) {
			for (Period t : p.timeline()) {
				csv.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%.6f,%s,%s,%s,%s,%s,%s%n", csv(p.name()), t.start(),
						t.end(), t.rows(), t.metric(), (t.championVersion() != null) ? t.championVersion() : "",
						t.retrained(), t.promoted(), (t.drift() != null) ? t.drift().status() : "",
						(t.drift() != null) ? csv(t.drift().outcome()) : "", csv(t.why())));
			}
		}
		Files.writeString(dir.resolve("periods.csv"), csv);
		Files.writeString(dir.resolve("report.html"), html(report));
	}

	/**
	 * A table of the policies side by side and an SVG chart of the metric per period,
	 * retrains marked.
	 */
	static String html(BacktestReport r) {
		StringBuilder h = new StringBuilder();
		h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Backtest: ")
			.append(esc(r.pipeline()))
			.append("</title><style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse}"
					+ "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}"
					+ "td:first-child,th:first-child{text-align:left}</style></head><body>");
		h.append("<h1>Backtest of ")
			.append(esc(r.pipeline()))
			.append("</h1><p>")
			.append(String.format(Locale.ROOT, "%s .. %s, %d-day periods after %d days of warm-up; metric %s; %.1f s.",
					r.from(), r.to(), r.periodDays(), r.warmupDays(), r.metric(), r.elapsedMillis() / 1000.0))
			.append("</p><table><tr><th>policy</th><th>mean ")
			.append(esc(r.metric()))
			.append("</th><th>retrains</th><th>promotions</th><th>rows trained</th><th>training s</th><th>checks s</th>"
					+ "<th>scoring s</th><th>total s</th><th>what it does</th></tr>");
		for (PolicyResult p : r.policies()) {
			h.append(String.format(Locale.ROOT,
					"<tr><td>%s</td><td>%.4f</td><td>%d</td><td>%d</td><td>%,d</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td class=\"what\" style=\"text-align:left;white-space:pre-wrap\">%s</td></tr>",
					esc(p.name()), p.meanMetric(), p.retrains(), p.promotions(), p.rowsTrained(),
					p.trainingMillis() / 1000.0, p.checkMillis() / 1000.0, p.scoringMillis() / 1000.0,
					p.totalMillis() / 1000.0, esc(p.description())));
		}
		r.baselines()
			.forEach(b -> h.append(String.format(Locale.ROOT,
					"<tr><td>%s</td><td>%.4f</td><td colspan=\"8\" style=\"text-align:left\">baseline</td></tr>",
					esc(b.name()), b.meanMetric())));
		h.append("</table>").append(chart(r));
		for (PolicyResult p : r.policies()) {
			h.append(decisions(p));
		}
		h.append("</body></html>\n");
		return h.toString();
	}

	/**
	 * The metric per period and the cumulative retrains, readable at a thousand periods:
	 * each policy's raw line is faint and its rolling mean (about 1/40 of the periods) is
	 * drawn over it; retrains are a step line in a panel of their own and promotions a
	 * rug of ticks under it, so that no marker hides a line. Drag across the chart to
	 * zoom into a range of periods; double-click to zoom out.
	 */
	static String chart(BacktestReport r) {
		int w = 1100;
		int top = 300;
		int bottom = 140;
		int gap = 30;
		int pad = 10;
		double min = Double.POSITIVE_INFINITY;
		double max = Double.NEGATIVE_INFINITY;
		int n = 0;
		int maxRetrains = 1;
		for (PolicyResult p : r.policies()) {
			n = Math.max(n, p.timeline().size());
			maxRetrains = Math.max(maxRetrains, p.retrains());
			for (Period t : p.timeline()) {
				if (Double.isFinite(t.metric())) {
					min = Math.min(min, t.metric());
					max = Math.max(max, t.metric());
				}
			}
		}
		if (n < 2 || !Double.isFinite(min)) {
			return "<p>(not enough periods to chart)</p>";
		}
		int window = Math.max(1, Math.round(n / 40f));
		double span = Math.max(max - min, 1e-9);
		int rugTop = top + gap + bottom + 6;
		int height = rugTop + 6 * r.policies().size() + 4;
		StringBuilder s = new StringBuilder();
		s.append(String.format(Locale.ROOT,
				"<h2>%s per period: faint, each period; bold, rolling mean of %d periods</h2>"
						+ "<p class=\"scale\">%s from %.3f to %.3f; below, cumulative retrains (0 to %d) and a tick "
						+ "for each promotion. Drag across the chart to zoom into a range of periods; double-click "
						+ "to zoom out.</p>",
				esc(r.metric()), window, esc(r.metric()), min, max, maxRetrains));
		s.append(String.format(Locale.ROOT,
				"<svg id=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" preserveAspectRatio=\"none\" "
						+ "xmlns=\"http://www.w3.org/2000/svg\" style=\"border:1px solid #ddd;cursor:crosshair\">"
						+ "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>"
						+ "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\" vector-effect=\"non-scaling-stroke\"/>",
				w, height, w, height, top + gap / 2, w, top + gap / 2));
		StringBuilder legend = new StringBuilder("<p class=\"legend\">");
		for (int i = 0; i < r.policies().size(); i++) {
			PolicyResult p = r.policies().get(i);
			String color = COLORS[i % COLORS.length];
			List<Period> t = p.timeline();
			StringBuilder raw = new StringBuilder();
			StringBuilder rolling = new StringBuilder();
			StringBuilder steps = new StringBuilder();
			StringBuilder rug = new StringBuilder();
			double sum = 0;
			int count = 0;
			ArrayDeque<Double> last = new ArrayDeque<>();
			int retrains = 0;
			for (int k = 0; k < t.size(); k++) {
				double x = pad + (w - 2.0 * pad) * k / (n - 1);
				double m = t.get(k).metric();
				if (Double.isFinite(m)) {
					double y = top - pad - (top - 2.0 * pad) * (m - min) / span;
					raw.append(raw.isEmpty() ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
					last.addLast(m);
					sum += m;
					count++;
					if (last.size() > window) {
						sum -= last.removeFirst();
						count--;
					}
					double mean = sum / count;
					double ym = top - pad - (top - 2.0 * pad) * (mean - min) / span;
					rolling.append(rolling.isEmpty() ? "M" : "L")
						.append(String.format(Locale.ROOT, "%.1f,%.1f", x, ym));
				}
				if (t.get(k).retrained()) {
					retrains++;
				}
				double yr = top + gap + bottom - (bottom - 2.0 * pad) * retrains / maxRetrains - pad;
				steps.append(steps.isEmpty() ? "M" : "H")
					.append(steps.isEmpty() ? String.format(Locale.ROOT, "%.1f,%.1f", x, yr)
							: String.format(Locale.ROOT, "%.1fV%.1f", x, yr));
				if (t.get(k).promoted()) {
					int y0 = rugTop + 6 * i;
					rug.append(String.format(Locale.ROOT, "M%.1f,%dV%d", x, y0, y0 + 5));
				}
			}
			s.append(String.format(Locale.ROOT,
					"<path class=\"raw\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"0.75\" opacity=\"0.18\" "
							+ "vector-effect=\"non-scaling-stroke\"/>",
					raw, color));
			s.append(String.format(Locale.ROOT,
					"<path class=\"rolling\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
							+ "vector-effect=\"non-scaling-stroke\"/>",
					rolling, color));
			s.append(String.format(Locale.ROOT,
					"<path class=\"retrains\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
							+ "vector-effect=\"non-scaling-stroke\"/>",
					steps, color));
			if (!rug.isEmpty()) {
				s.append(String.format(Locale.ROOT,
						"<path class=\"promotions\" d=\"%s\" stroke=\"%s\" stroke-width=\"1\" "
								+ "vector-effect=\"non-scaling-stroke\"/>",
						rug, color));
			}
			legend.append(String.format(Locale.ROOT,
					"<span style=\"color:%s;margin-right:18px\">&#9632; %s (mean %.4f, %d retrains, %d promotions)</span>",
					color, esc(p.name()), p.meanMetric(), p.retrains(), p.promotions()));
		}
		s.append("</svg>").append(legend).append("</p>");
		s.append(String.format(Locale.ROOT, """
				<script>
				(function () {
				  var svg = document.getElementById('chart'), W = %d, H = %d, from = null;
				  function x(e) { var b = svg.getBoundingClientRect(), v = svg.viewBox.baseVal;
				    return v.x + (e.clientX - b.left) / b.width * v.width; }
				  svg.addEventListener('mousedown', function (e) { from = x(e); });
				  svg.addEventListener('mouseup', function (e) { if (from === null) { return; }
				    var a = Math.min(from, x(e)), b = Math.max(from, x(e)); from = null;
				    if (b - a > 2) { svg.setAttribute('viewBox', a + ' 0 ' + (b - a) + ' ' + H); } });
				  svg.addEventListener('dblclick', function () { svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H); });
				})();
				</script>""", w, height));
		return s.toString();
	}

	/**
	 * The periods where the policy acted or its drift check flagged, with the reasons
	 * (collapsed).
	 */
	static String decisions(PolicyResult p) {
		List<Period> shown = p.timeline()
			.stream()
			.filter(t -> t.retrained() || (t.drift() != null && t.drift().status() == DriftReport.Status.DRIFT))
			.toList();
		if (shown.isEmpty()) {
			return "";
		}
		StringBuilder h = new StringBuilder(String.format(Locale.ROOT,
				"<details><summary>%s: %d retrains, %d periods flagged or retrained</summary><table><tr><th>period end</th>"
						+ "<th>metric</th><th>champion</th><th>drift check</th><th>retrained</th><th>promoted</th>"
						+ "<th>why</th></tr>",
				esc(p.name()), p.retrains(), shown.size()));
		for (Period t : shown) {
			h.append(String.format(Locale.ROOT,
					"<tr><td>%s</td><td>%.4f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td style=\"text-align:left\">%s</td></tr>",
					t.end(), t.metric(), (t.championVersion() != null) ? "v" + t.championVersion() : "",
					(t.drift() != null) ? esc(t.drift().status() + " " + Objects.toString(t.drift().outcome(), ""))
							: "",
					t.retrained() ? "yes" : "", t.promoted() ? "yes" : "",
					esc((t.why() != null) ? t.why() : (t.drift() != null) ? t.drift().summary() : "")));
		}
		return h.append("</table></details>").toString();
	}

	/** A CSV field: quoted when it holds a comma, quote or line break. */
	static String csv(String v) {
		if (v == null) {
			return "";
		}
		String one = v.replace("\r", " ").replace("\n", " ");
		return (one.contains(",") || one.contains("\"")) ? "\"" + one.replace("\"", "\"\"") + "\"" : one;
	}

	static String esc(String s) {
		return (s == null) ? ""
				: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}

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
		// with a label delay each policy has a row per delay (named for it) and a column
		// says how late its labels came
		boolean delayed = r.policies().stream().anyMatch(p -> p.labelDelayPeriods() > 0);
		h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Backtest: ")
			.append(esc(r.pipeline()))
			.append("</title><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><style>body{font-family:sans-serif;margin:24px}table{border-collapse:collapse}"
					+ "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}"
					+ "td:first-child,th:first-child{text-align:left}</style></head><body>");
		h.append("<h1>Backtest of ")
			.append(esc(r.pipeline()))
			.append("</h1><p>")
			.append(String.format(Locale.ROOT, "%s .. %s, %d-day periods after %d days of warm-up; metric %s; %.1f s.",
					r.from(), r.to(), r.periodDays(), r.warmupDays(), r.metric(), r.elapsedMillis() / 1000.0))
			.append("</p><div style=\"overflow-x:auto\"><table><tr><th>policy</th><th>mean ")
			.append(esc(r.metric()))
			.append("</th>")
			.append(delayed ? "<th>labels late (periods)</th>" : "")
			.append("<th>retrains</th><th>promotions</th><th>rows trained</th><th>training s</th><th>checks s</th>"
					+ "<th>scoring s</th><th>total s</th><th>what it does</th></tr>");
		for (PolicyResult p : r.policies()) {
			h.append(String.format(Locale.ROOT,
					"<tr><td>%s</td><td>%.4f</td>%s<td>%d</td><td>%d</td><td>%,d</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td class=\"what\" style=\"text-align:left;white-space:pre-wrap\">%s</td></tr>",
					esc(p.name()), p.meanMetric(),
					delayed ? "<td class=\"late\">" + p.labelDelayPeriods() + "</td>" : "", p.retrains(),
					p.promotions(), p.rowsTrained(), p.trainingMillis() / 1000.0, p.checkMillis() / 1000.0,
					p.scoringMillis() / 1000.0, p.totalMillis() / 1000.0, esc(p.description())));
		}
		r.baselines()
			.forEach(b -> h.append(String.format(Locale.ROOT,
					"<tr><td>%s</td><td>%.4f</td><td colspan=\"%d\" style=\"text-align:left\">baseline</td></tr>",
					esc(b.name()), b.meanMetric(), delayed ? 9 : 8)));
		h.append("</table></div>").append(chart(r));
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
	 * rug of ticks under it, so that no marker hides a line. The periods' end dates are
	 * on the x axis, the metric and the retrains on y axes with tick labels, and a legend
	 * names each policy's colour. Drag across the chart to zoom into a range of periods
	 * (the date ticks follow); double-click to zoom out.
	 */
	static String chart(BacktestReport r) {
		double min = Double.POSITIVE_INFINITY;
		double max = Double.NEGATIVE_INFINITY;
		List<Period> longest = List.of();
		int maxRetrains = 1;
		for (PolicyResult p : r.policies()) {
			if (p.timeline().size() > longest.size()) {
				longest = p.timeline();
			}
			maxRetrains = Math.max(maxRetrains, p.retrains());
			for (Period t : p.timeline()) {
				if (Double.isFinite(t.metric())) {
					min = Math.min(min, t.metric());
					max = Math.max(max, t.metric());
				}
			}
		}
		int n = longest.size();
		if (n < 2 || !Double.isFinite(min)) {
			return "<p>(not enough periods to chart)</p>";
		}
		int window = Math.max(1, Math.round(n / 40f));
		double step = niceStep(Math.max(max - min, 1e-6) / 4);
		double lo = Math.floor(min / step) * step;
		double hi = Math.max(Math.ceil(max / step) * step, lo + step);
		int decimals = (int) Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
		int retrainStep = (int) Math.max(1, Math.ceil(niceStep(maxRetrains / 3.0)));
		int retrainTop = (int) Math.ceil(maxRetrains / (double) retrainStep) * retrainStep;

		int w = 1100;
		int left = 64;
		int plotWidth = w - left - 40;
		int legendHeight = 16 * r.policies().size() + 10;
		int top = legendHeight + 8;
		int upper = 260;
		int lower = top + upper + 26;
		int lowerHeight = 110;
		int rugTop = lower + lowerHeight + 6;
		int plotHeight = rugTop + 6 * r.policies().size() + 2;
		int height = plotHeight + 22;
		StringBuilder s = new StringBuilder();
		s.append(String.format(Locale.ROOT, "<h2>%s per period%s</h2>", esc(r.metric()), (window > 1)
				? String.format(Locale.ROOT, ": faint, each period; bold, rolling mean of %d periods", window) : ""));
		s.append(String.format(Locale.ROOT, "<p class=\"scale\">Above, %s per period (axis on the left); below, "
				+ "cumulative retrains and a tick for each promotion. Drag across the chart to zoom into a range of "
				+ "periods; double-click to zoom out.</p>", esc(r.metric())));
		s.append(String.format(Locale.ROOT,
				"<svg id=\"chart\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\" "
						+ "style=\"width:100%%;max-width:%dpx;height:auto;border:1px solid #ddd;cursor:crosshair;"
						+ "font:11px sans-serif\"><rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>",
				w, height, w));
		// the legend: each policy's colour, with its mean and counts
		s.append("<g class=\"legend\">");
		for (int i = 0; i < r.policies().size(); i++) {
			PolicyResult p = r.policies().get(i);
			int y = 14 + 16 * i;
			s.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>"
							+ "<text x=\"%d\" y=\"%d\">%s: mean %.4f, %d retrains, %d promotions</text>",
					left, left + 22, y - 4, y - 4, COLORS[i % COLORS.length], left + 28, y, esc(p.name()),
					p.meanMetric(), p.retrains(), p.promotions()));
		}
		s.append("</g>");
		// y axes: the metric's ticks and grid lines, the retrains' ticks
		s.append("<g class=\"y-ticks\" text-anchor=\"end\">");
		for (double v = lo; v <= hi + step / 2; v += step) {
			double y = top + upper - upper * (v - lo) / (hi - lo);
			s.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
							+ "<text x=\"%d\" y=\"%.1f\">%." + decimals + "f</text>",
					left, left + plotWidth, y, y, left - 6, y + 4, v));
		}
		for (int v = 0; v <= retrainTop; v += retrainStep) {
			double y = lower + lowerHeight - lowerHeight * v / (double) retrainTop;
			s.append(
					String.format(Locale.ROOT,
							"<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
									+ "<text x=\"%d\" y=\"%.1f\">%d</text>",
							left, left + plotWidth, y, y, left - 6, y + 4, v));
		}
		s.append("</g>");
		s.append(String.format(Locale.ROOT,
				"<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s</text>"
						+ "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">retrains</text>",
				top + upper / 2, top + upper / 2, esc(r.metric()), lower + lowerHeight / 2, lower + lowerHeight / 2));
		s.append(String.format(Locale.ROOT,
				"<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
						+ "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>",
				left, left, top, lower + lowerHeight, left, left + plotWidth, plotHeight, plotHeight));
		// x axis: the periods' end dates (redrawn by the script when zoomed)
		s.append("<g class=\"x-ticks\" text-anchor=\"middle\">");
		double pad = 4;
		int every = Math.max(1, (int) Math.ceil((n - 1) / 7.0));
		for (int k = 0; k < n; k += every) {
			double x = left + pad + (plotWidth - 2 * pad) * k / (double) (n - 1);
			s.append(String.format(Locale.ROOT,
					"<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
							+ "<text x=\"%.1f\" y=\"%d\">%s</text>",
					x, x, plotHeight, plotHeight + 4, x, plotHeight + 16, longest.get(k).end()));
		}
		s.append("</g>");
		// the lines, in a plot of their own that zooms along x
		s.append(
				String
					.format(Locale.ROOT,
							"<svg id=\"plot\" x=\"%d\" y=\"0\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
									+ "preserveAspectRatio=\"none\">",
							left, plotWidth, plotHeight, plotWidth, plotHeight));
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
				double x = pad + (plotWidth - 2 * pad) * k / (n - 1);
				double m = t.get(k).metric();
				if (Double.isFinite(m)) {
					double y = top + upper - upper * (m - lo) / (hi - lo);
					raw.append(raw.isEmpty() ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
					last.addLast(m);
					sum += m;
					count++;
					if (last.size() > window) {
						sum -= last.removeFirst();
						count--;
					}
					double ym = top + upper - upper * (sum / count - lo) / (hi - lo);
					rolling.append(rolling.isEmpty() ? "M" : "L")
						.append(String.format(Locale.ROOT, "%.1f,%.1f", x, ym));
				}
				if (t.get(k).retrained()) {
					retrains++;
				}
				double yr = lower + lowerHeight - lowerHeight * retrains / (double) retrainTop;
				// a step line: across to this period at the last count, then up to the
				// new
				// one
				steps.append(steps.isEmpty() ? String.format(Locale.ROOT, "M%.1f,%.1f", x, yr)
						: String.format(Locale.ROOT, "H%.1fV%.1f", x, yr));
				if (t.get(k).promoted()) {
					int y0 = rugTop + 6 * i;
					rug.append(String.format(Locale.ROOT, "M%.1f,%dV%d", x, y0, y0 + 5));
				}
			}
			s.append(String.format(Locale.ROOT,
					"<path class=\"raw\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"0.75\" opacity=\"%s\" "
							+ "vector-effect=\"non-scaling-stroke\"/>",
					raw, color, (window > 1) ? "0.18" : "0.6"));
			if (window > 1) {
				s.append(String.format(Locale.ROOT,
						"<path class=\"rolling\" d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
								+ "vector-effect=\"non-scaling-stroke\"/>",
						rolling, color));
			}
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
		}
		s.append("</svg></svg>");
		StringBuilder dates = new StringBuilder("[");
		for (int k = 0; k < n; k++) {
			dates.append((k > 0) ? ",\"" : "\"").append(longest.get(k).end()).append('"');
		}
		dates.append(']');
		s.append(String.format(Locale.ROOT, """
				<script>
				(function () {
				  var svg = document.getElementById('chart'), plot = document.getElementById('plot');
				  var ticks = svg.querySelector('.x-ticks'), NS = 'http://www.w3.org/2000/svg';
				  var L = %d, W = %d, H = %d, PAD = %s, BASE = %d, dates = %s, from = null;
				  function x(e) { var b = plot.getBoundingClientRect(), v = plot.viewBox.baseVal;
				    return v.x + (e.clientX - b.left) / b.width * v.width; }
				  function el(name, attrs, text) { var e = document.createElementNS(NS, name);
				    for (var k in attrs) { e.setAttribute(k, attrs[k]); } if (text) { e.textContent = text; }
				    ticks.appendChild(e); }
				  function draw(a, b) {
				    while (ticks.firstChild) { ticks.removeChild(ticks.firstChild); }
				    var n = dates.length, ka = Math.max(0, Math.ceil((a - PAD) / (W - 2 * PAD) * (n - 1))),
				      kb = Math.min(n - 1, Math.floor((b - PAD) / (W - 2 * PAD) * (n - 1))),
				      every = Math.max(1, Math.ceil((kb - ka) / 7));
				    for (var k = ka; k <= kb; k += every) {
				      var px = L + ((PAD + (W - 2 * PAD) * k / (n - 1)) - a) / (b - a) * W;
				      el('line', {x1: px, x2: px, y1: BASE, y2: BASE + 4, stroke: '#999'});
				      el('text', {x: px, y: BASE + 16}, dates[k]);
				    }
				  }
				  svg.addEventListener('mousedown', function (e) { from = x(e); });
				  svg.addEventListener('mouseup', function (e) { if (from === null) { return; }
				    var a = Math.max(0, Math.min(from, x(e))), b = Math.min(W, Math.max(from, x(e))); from = null;
				    if (b - a > 2) { plot.setAttribute('viewBox', a + ' 0 ' + (b - a) + ' ' + H); draw(a, b); } });
				  svg.addEventListener('dblclick', function () { plot.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
				    draw(0, W); });
				})();
				</script>""", left, plotWidth, plotHeight, pad, plotHeight, dates));
		return s.toString();
	}

	/** 1, 2 or 5 times a power of ten: a step for about {@code raw} between ticks. */
	static double niceStep(double raw) {
		double power = Math.pow(10, Math.floor(Math.log10(raw)));
		double f = raw / power;
		return ((f < 1.5) ? 1 : (f < 3) ? 2 : (f < 7) ? 5 : 10) * power;
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
				"<details><summary>%s: %d retrains, %d periods flagged or retrained</summary><div style=\"overflow-x:auto\">"
						+ "<table><tr><th>period end</th>"
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
		return h.append("</table></div></details>").toString();
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

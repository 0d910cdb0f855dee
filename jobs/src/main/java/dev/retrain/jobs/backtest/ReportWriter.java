package dev.retrain.jobs.backtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
					"<tr><td>%s</td><td>%.4f</td><td>%d</td><td>%d</td><td>%,d</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.1f</td><td style=\"text-align:left\">%s</td></tr>",
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

	static String chart(BacktestReport r) {
		int w = 1100;
		int ht = 360;
		int pad = 40;
		double min = Double.POSITIVE_INFINITY;
		double max = Double.NEGATIVE_INFINITY;
		int n = 0;
		for (PolicyResult p : r.policies()) {
			n = Math.max(n, p.timeline().size());
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
		double lo = min;
		double span = Math.max(max - min, 1e-9);
		int periods = n;
		StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
				"<h2>%s per period (dots: retrain; rings: promotion)</h2><svg width=\"%d\" height=\"%d\" "
						+ "xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>",
				esc(r.metric()), w, ht + 24 + 18 * ((r.policies().size() + 3) / 4)));
		s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-size=\"11\">%.3f</text><text x=\"4\" y=\"%d\" "
				+ "font-size=\"11\">%.3f</text>", pad, max, ht - pad + 10, min));
		for (int i = 0; i < r.policies().size(); i++) {
			PolicyResult p = r.policies().get(i);
			String color = COLORS[i % COLORS.length];
			StringBuilder path = new StringBuilder();
			List<Period> t = p.timeline();
			for (int k = 0; k < t.size(); k++) {
				if (!Double.isFinite(t.get(k).metric())) {
					continue;
				}
				double x = pad + (w - 2.0 * pad) * k / (periods - 1);
				double y = ht - pad - (ht - 2.0 * pad) * (t.get(k).metric() - lo) / span;
				path.append(path.isEmpty() ? "M" : "L").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
				if (t.get(k).retrained()) {
					s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>", x, y,
							color));
				}
				if (t.get(k).promoted()) {
					s.append(String.format(Locale.ROOT,
							"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" stroke=\"%s\"/>", x, y, color));
				}
			}
			s.append("<path d=\"")
				.append(path)
				.append("\" fill=\"none\" stroke=\"")
				.append(color)
				.append("\" stroke-width=\"1\" opacity=\"0.8\"/>");
			s.append(String.format(Locale.ROOT,
					"<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s (mean %.4f)</text>", pad + 260 * (i % 4),
					ht + 20 + 18 * (i / 4), color, esc(p.name()), p.meanMetric()));
		}
		return s.append("</svg>").toString();
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

package dev.retrain.orchestrator.console;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * What a run's evaluation and decision say, as tables a person reads: candidate against
 * champion per holdout and metric and per slice of the primary holdout, and the decision
 * with its reasons. Read from the run's recorded details, the same the API returns.
 *
 * @param primaryHoldout the holdout the promotion policy decides on
 * @param championVersion the champion measured beside the candidate, or null
 * @param championUnavailable why the champion could not be measured, or null
 * @param metrics one row per holdout and metric
 * @param sliceMetric the metric of the slice rows (the policy's primary metric)
 * @param slices one row per slice of the primary holdout
 * @param outcome the decision (PROMOTE, KEEP_CHAMPION, ...), or null before it
 * @param reasons the decision's reasons, one per rule
 * @param candidates the candidates a search tried (empty without a search)
 * @param searchNote why there was no search this time, or null
 * @param test the promotion test's interval in one line ({@code promotion.test}), or null
 * without one
 */
public record RunEvaluation(String primaryHoldout, Integer championVersion, String championUnavailable,
		List<MetricRow> metrics, String sliceMetric, List<SliceRow> slices, String outcome, List<String> reasons,
		List<CandidateRow> candidates, String searchNote, String test) {

	/**
	 * One candidate of a search: its settings in words, rows, epochs, its score on the
	 * selection days (null where it was not trained, {@code failed} says why), seconds,
	 * and whether it won.
	 */
	public record CandidateRow(int index, String settings, long trainRows, int epochs, Double score, double seconds,
			String failed, boolean winner) {
	}

	/** One metric on one holdout; {@code champion} and {@code delta} null without one. */
	public record MetricRow(String holdout, String metric, double candidate, Double champion, Double delta) {
	}

	/** The primary metric on one slice. */
	public record SliceRow(String slice, int rows, double candidate, double champion, double delta) {
	}

	/** The evaluation of {@code details}, or null where the run has not evaluated. */
	static RunEvaluation from(JsonNode details, String primaryMetric) {
		if (details == null || !details.has("evaluation")) {
			return null;
		}
		List<CandidateRow> candidates = new ArrayList<>();
		JsonNode search = details.path("search");
		int winner = search.path("winner").asInt(-1);
		for (JsonNode t : search.path("candidates")) {
			JsonNode c = t.path("settings");
			int index = c.path("index").asInt();
			String settings = c.path("fineTune").asBoolean()
					? "the champion fine-tuned on " + c.path("windowDays").asInt() + " days"
					: c.path("windowDays").asInt() + " days, hidden " + c.path("hiddenLayers") + ", lr "
							+ c.path("learningRate").asDouble() + ", weight decay " + c.path("weightDecay").asDouble()
							+ ", " + c.path("epochs").asInt() + " epochs";
			JsonNode score = t.path("score");
			candidates.add(new CandidateRow(index, settings, t.path("trainRows").asLong(), t.path("epochsRun").asInt(),
					(score.isNumber() && Double.isFinite(score.asDouble())) ? score.asDouble() : null,
					t.path("seconds").asDouble(), text(t.path("failed")), index == winner));
		}
		JsonNode e = details.get("evaluation");
		List<MetricRow> metrics = new ArrayList<>();
		JsonNode champion = e.path("champion");
		for (Map.Entry<String, JsonNode> h : e.path("candidate").properties()) {
			for (Map.Entry<String, JsonNode> m : h.getValue().properties()) {
				JsonNode c = champion.path(h.getKey()).path(m.getKey());
				Double ch = c.isNumber() ? c.asDouble() : null;
				double cand = m.getValue().asDouble();
				metrics.add(new MetricRow(h.getKey(), m.getKey(), cand, ch, (ch != null) ? cand - ch : null));
			}
		}
		List<SliceRow> slices = new ArrayList<>();
		for (Map.Entry<String, JsonNode> s : e.path("slices").properties()) {
			JsonNode v = s.getValue();
			double cand = v.path("candidate").asDouble();
			double ch = v.path("champion").asDouble();
			slices.add(new SliceRow(s.getKey(), v.path("rows").asInt(), cand, ch, cand - ch));
		}
		JsonNode d = details.path("decision");
		List<String> reasons = new ArrayList<>();
		d.path("reasons").forEach(r -> reasons.add(r.asString()));
		return new RunEvaluation(text(e.path("primaryHoldout")),
				e.path("championVersion").isNumber() ? e.path("championVersion").asInt() : null,
				text(e.path("championUnavailable")), metrics, primaryMetric, slices, text(d.path("outcome")), reasons,
				candidates, text(search.path("notSearched")), test(e.path("test")));
	}

	/**
	 * "roc_auc difference +0.0031, 95% interval [-0.0012, +0.0074] (paired-bootstrap,
	 * 1000 resamples of 2400 rows; positive: candidate better)".
	 */
	static String test(JsonNode t) {
		if (!t.isObject()) {
			return null;
		}
		String how = t.path("resamples").isNumber()
				? t.path("resamples").asInt() + " resamples of " + t.path("rows").asInt() + " rows"
				: t.path("discordant").asInt() + " discordant of " + t.path("rows").asInt() + " rows, p="
						+ String.format(Locale.ROOT, "%.4g", t.path("pValue").asDouble());
		return String.format(Locale.ROOT,
				"%s difference %+.4f, %s%% interval [%+.4f, %+.4f], margin %+.4f (%s, %s; %s)",
				t.path("metric").asString(), t.path("difference").asDouble(),
				BigDecimal.valueOf(t.path("confidence").asDouble() * 100).stripTrailingZeros().toPlainString(),
				t.path("lower").asDouble(), t.path("upper").asDouble(), t.path("margin").asDouble(),
				t.path("method").asString(), how, "difference = " + t.path("orientation").asString());
	}

	private static String text(JsonNode n) {
		return (n.isMissingNode() || n.isNull()) ? null : n.asString();
	}

}

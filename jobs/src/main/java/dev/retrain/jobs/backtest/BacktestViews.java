package dev.retrain.jobs.backtest;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.retrain.jobs.backtest.BacktestLauncher.ReportFile;
import dev.retrain.models.json.Json;

/**
 * Backtests as people read them (the REST API and the console alike): state and progress,
 * the report's summary once completed, and the report's HTML.
 */
public class BacktestViews {

	private final BacktestLauncher launcher;

	BacktestViews(BacktestLauncher launcher) {
		this.launcher = launcher;
	}

	/**
	 * A backtest's state (RUNNING while queued or replaying, STOPPING, STOPPED,
	 * COMPLETED, FAILED), and its report once it completed.
	 */
	public record BacktestView(long id, String pipeline, String status, String progress, Instant createdAt,
			Instant endedAt, String failure, JsonNode report) {
	}

	public BacktestView get(long id) {
		BacktestStatus s = this.launcher.status(id);
		JsonNode report = null;
		if (s.reportDir() != null) {
			try {
				report = summary(Json.MAPPER.readTree(Files.readString(this.launcher.report(id, ReportFile.JSON))));
			}
			catch (IOException ex) {
				report = null;
			}
		}
		return new BacktestView(s.id(), s.pipeline(), s.status(), s.progress(), s.createdAt(), s.endedAt(), s.failure(),
				report);
	}

	/**
	 * A backtest in a list: enough to find it again (its status, when it started and
	 * ended) without reading its report.
	 */
	public record BacktestListing(long id, String pipeline, String status, Instant createdAt, Instant endedAt,
			boolean hasReport) {
	}

	/**
	 * The newest backtests, newest first: of one pipeline, or (null) of all; at most
	 * {@code limit}.
	 */
	public List<BacktestListing> recent(String pipeline, int limit) {
		return this.launcher.newest(pipeline, limit)
			.stream()
			.map(this.launcher::status)
			.map(s -> new BacktestListing(s.id(), s.pipeline(), s.status(), s.createdAt(), s.endedAt(),
					s.reportDir() != null))
			.toList();
	}

	/** The completed backtest's self-contained HTML report. */
	public String html(long id) throws IOException {
		return Files.readString(this.launcher.report(id, ReportFile.HTML));
	}

	/** The report without its periods: what a client polling for the result needs. */
	private static JsonNode summary(JsonNode report) {
		if (report instanceof ObjectNode o) {
			o.withArray("policies").forEach(p -> ((ObjectNode) p).remove("timeline"));
			o.withArray("baselines").forEach(b -> ((ObjectNode) b).remove("perPeriod"));
			o.put("periods", "report.json");
		}
		return report;
	}

}

package dev.retrain.jobs.backtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

import org.springframework.batch.core.job.parameters.JobParameters;

import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;
import dev.retrain.models.json.Json;

/**
 * A backtest's directory, {@code <data>/backtests/<id>/}: the request as it was started
 * ({@code pipeline.yaml}, {@code policies.yaml}), each replayed policy's result
 * ({@code results/policy-<n>.json}, in the plan's order), the policies' sandboxes
 * ({@code sandboxes/}) and, once complete, the report ({@code report.json},
 * {@code periods.csv}, {@code report.html}). The request is kept whole here because it is
 * too long for a job parameter.
 */
record BacktestDirectory(Path path, Path dataDir) {

	static BacktestDirectory of(Path dataDir, long id) {
		return new BacktestDirectory(dataDir.resolve("backtests").resolve(Long.toString(id)).toAbsolutePath(), dataDir);
	}

	/** The directory of the backtest a job execution runs. */
	static BacktestDirectory of(Path dataDir, JobParameters params) {
		return of(dataDir, params.getLong(BacktestJobConfiguration.ID));
	}

	void writeRequest(String pipelineYaml, String policies) {
		try {
			Files.createDirectories(this.path);
			Files.writeString(this.path.resolve("pipeline.yaml"), pipelineYaml);
			Files.writeString(this.path.resolve("policies.yaml"), policies);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the backtest request to " + this.path, ex);
		}
	}

	/**
	 * The stored request over the given days (null: the policy file's, or the data's
	 * first and last).
	 */
	Backtester.Request request(LocalDate from, LocalDate to) {
		try {
			String policies = Files.readString(this.path.resolve("policies.yaml"));
			String pipeline = Files.readString(this.path.resolve("pipeline.yaml"));
			return PolicyFile.parse(policies)
				.request(pipeline, this.dataDir, this.path.resolve("sandboxes"))
				.between(from, to);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read the backtest request in " + this.path, ex);
		}
	}

	/**
	 * The plan a job execution replays: the stored request over the days fixed when it
	 * was started.
	 */
	BacktestPlan plan(JobParameters params) {
		return BacktestPlan.of(request(params.getLocalDate(BacktestJobConfiguration.FROM),
				params.getLocalDate(BacktestJobConfiguration.TO)));
	}

	void writeResult(int index, PolicyResult result) {
		Json.writeCompact(result(index), result);
	}

	PolicyResult readResult(int index) {
		return Json.read(result(index), PolicyResult.class);
	}

	Path result(int index) {
		return this.path.resolve("results").resolve("policy-" + index + ".json");
	}

	/** Whether the report was written (the last thing a backtest does). */
	boolean hasReport() {
		return Files.isRegularFile(this.path.resolve("report.json"));
	}

}

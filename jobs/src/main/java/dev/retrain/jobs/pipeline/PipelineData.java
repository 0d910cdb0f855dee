package dev.retrain.jobs.pipeline;

import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.PartitionedDirectory;

/** Where a pipeline's data lives, and which day a run or check defaults to. */
public class PipelineData {

	private final RetrainProperties props;

	private final Clock clock;

	public PipelineData(RetrainProperties props, Clock clock) {
		this.props = props;
		this.clock = clock;
	}

	public Path root(PipelineDefinition def) {
		return this.props.resolveData(def.dataPath());
	}

	/**
	 * The newest day partition not after today (UTC), or today when the data directory
	 * has none yet.
	 */
	public LocalDate newestDay(PipelineDefinition def) {
		LocalDate today = LocalDate.now(this.clock.withZone(ZoneOffset.UTC));
		try {
			return new PartitionedDirectory(root(def)).days()
				.stream()
				.filter(d -> !d.isAfter(today))
				.reduce((a, b) -> b)
				.orElse(today);
		}
		catch (DataValidationFailed ex) {
			return today;
		}
	}

}

package dev.retrain.jobs.pipeline;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.storage.Location;

/** Where a pipeline's data lives, and which day a run or check defaults to. */
public class PipelineData {

	private final RetrainProperties props;

	private final Clock clock;

	public PipelineData(RetrainProperties props, Clock clock) {
		this.props = props;
		this.clock = clock;
	}

	/** The first and last day a run, check or event may be for. */
	public static final LocalDate FIRST_DAY = LocalDate.of(1900, 1, 1);

	public static final LocalDate LAST_DAY = LocalDate.of(2999, 12, 31);

	/**
	 * Refuses a day no data set has ({@code +99999-01-01}): the date arithmetic of a run
	 * over it would fail half-way instead.
	 */
	public static LocalDate plausible(String field, LocalDate day) {
		if (day != null && (day.isBefore(FIRST_DAY) || day.isAfter(LAST_DAY))) {
			throw new IllegalArgumentException(
					field + " must be between " + FIRST_DAY + " and " + LAST_DAY + ", was " + day);
		}
		return day;
	}

	public Location root(PipelineDefinition def) {
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

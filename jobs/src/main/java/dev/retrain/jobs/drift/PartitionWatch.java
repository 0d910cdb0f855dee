package dev.retrain.jobs.drift;

import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.DriftPolicy.OnNewPartition;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.runs.RunAlreadyActive;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.Trigger;
import dev.retrain.models.dataset.DataValidationFailed;
import dev.retrain.models.dataset.PartitionedDirectory;

/**
 * Data arrival: for pipelines that ask for it, notices a day partition newer than the
 * last one seen (kept in the database, so any node may poll) and runs a drift check or a
 * retrain for that day. The watermark moves by compare-and-set, so two nodes polling at
 * once act once.
 */
public class PartitionWatch {

	private static final Logger log = LoggerFactory.getLogger(PartitionWatch.class);

	private final JdbcTemplate jdbc;

	private final PipelineCatalog catalog;

	private final RetrainProperties props;

	private final DriftChecker checker;

	private final RunLauncher launcher;

	private final Clock clock;

	PartitionWatch(JdbcTemplate jdbc, PipelineCatalog catalog, RetrainProperties props, DriftChecker checker,
			RunLauncher launcher, Clock clock) {
		this.jdbc = jdbc;
		this.catalog = catalog;
		this.props = props;
		this.checker = checker;
		this.launcher = launcher;
		this.clock = clock;
	}

	/**
	 * Polls one pipeline; returns the new day it acted on, if any. The first poll only
	 * records the newest day.
	 */
	public Optional<LocalDate> poll(String pipeline) {
		PipelineDefinition def = this.catalog.get(pipeline);
		OnNewPartition action = def.drift().onNewPartition();
		if (action == OnNewPartition.NONE) {
			return Optional.empty();
		}
		LocalDate newest;
		try {
			List<LocalDate> days = new PartitionedDirectory(this.props.resolveData(def.dataPath())).days();
			if (days.isEmpty()) {
				return Optional.empty();
			}
			newest = days.get(days.size() - 1);
		}
		catch (DataValidationFailed ex) {
			return Optional.empty();
		}
		List<LocalDate> seen = this.jdbc.queryForList("SELECT last_day FROM partition_watermark WHERE pipeline = ?",
				LocalDate.class, pipeline);
		OffsetDateTime now = this.clock.instant().atOffset(ZoneOffset.UTC);
		if (seen.isEmpty()) {
			this.jdbc.update("INSERT INTO partition_watermark (pipeline, last_day, updated_at) VALUES (?, ?, ?)",
					pipeline, newest, now);
			return Optional.empty();
		}
		if (!newest.isAfter(seen.get(0))) {
			return Optional.empty();
		}
		int moved = this.jdbc.update(
				"UPDATE partition_watermark SET last_day = ?, updated_at = ? WHERE pipeline = ? AND last_day = ?",
				newest, now, pipeline, seen.get(0));
		if (moved != 1) {
			return Optional.empty();
		}
		log.info("new partition dt={} for pipeline {}: {}", newest, pipeline, action);
		if (action == OnNewPartition.CHECK) {
			this.checker.check(pipeline, newest, "data");
		}
		else {
			try {
				this.launcher.launch(new RunLauncher.Request(pipeline, newest, "data-" + newest, null, Trigger.DATA,
						"new partition dt=" + newest + " arrived"));
			}
			catch (RunAlreadyActive ex) {
				log.info("new partition for {} while a run is in progress: {}", pipeline, ex.getMessage());
			}
		}
		return Optional.of(newest);
	}

}

package dev.retrain.jobs.scoring;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;

/**
 * Joins a day's stored predictions with its labels ({@link ProductionLabels}) and records
 * the realised metric per version ({@link RealisedPerformance}); a join of the day again
 * replaces what the last one recorded.
 */
class LabelJoinStep implements Tasklet {

	private static final Logger log = LoggerFactory.getLogger(LabelJoinStep.class);

	private final PipelineCatalog catalog;

	private final ProductionLabels labels;

	private final RealisedPerformance realised;

	LabelJoinStep(PipelineCatalog catalog, ProductionLabels labels, RealisedPerformance realised) {
		this.catalog = catalog;
		this.labels = labels;
		this.realised = realised;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
		JobParameters p = chunk.getStepContext().getStepExecution().getJobExecution().getJobParameters();
		PipelineDefinition def = this.catalog.get(p.getString(ScoringLauncher.PIPELINE));
		LocalDate day = p.getLocalDate(ScoringLauncher.DATE);
		String metric = def.promotion().metric().key();
		List<RealisedPerformance.Day> days = new ArrayList<>();
		long labelled = 0;
		for (ProductionLabels.Joined j : this.labels.join(def, day)) {
			Map<String, Double> metrics = j.metrics();
			Double value = metrics.containsKey(metric) ? metrics.get(metric) : metrics.get("accuracy");
			String named = metrics.containsKey(metric) ? metric : "accuracy";
			days.add(new RealisedPerformance.Day(day, j.version(), named, value, j.scoredRows(), j.labels().length,
					metrics));
			labelled += j.labels().length;
			log.info("realised {} of {} v{} on {}: {} ({} labelled of {} scored)", named, def.name(), j.version(), day,
					value, j.labels().length, j.scoredRows());
		}
		this.realised.replace(def.name(), day, days);
		chunk.getStepContext().getStepExecution().getExecutionContext().putLong("rows", labelled);
		contribution.incrementWriteCount(labelled);
		return RepeatStatus.FINISHED;
	}

}

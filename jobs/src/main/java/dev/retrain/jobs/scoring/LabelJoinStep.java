package dev.retrain.jobs.scoring;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.CommitteeRegistry;
import dev.retrain.models.committee.CommitteeLoss;
import dev.retrain.models.features.Task;

/**
 * Joins a day's stored predictions with its labels ({@link ProductionLabels}) and records
 * the realised metric per version ({@link RealisedPerformance}); a join of the day again
 * replaces what the last one recorded. With a committee that scored the day, the members'
 * own predictions are joined too and their losses move the committee's weights, once per
 * day.
 */
class LabelJoinStep implements Tasklet {

	private static final Logger log = LoggerFactory.getLogger(LabelJoinStep.class);

	private final PipelineCatalog catalog;

	private final ProductionLabels labels;

	private final RealisedPerformance realised;

	private final CommitteeRegistry committees;

	LabelJoinStep(PipelineCatalog catalog, ProductionLabels labels, RealisedPerformance realised,
			CommitteeRegistry committees) {
		this.catalog = catalog;
		this.labels = labels;
		this.realised = realised;
		this.committees = committees;
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
		String committee = weigh(def, day, chunk.getStepContext().getStepExecution().getJobExecutionId());
		if (committee != null) {
			chunk.getStepContext().getStepExecution().getExecutionContext().putString("committee", committee);
		}
		chunk.getStepContext().getStepExecution().getExecutionContext().putLong("rows", labelled);
		contribution.incrementWriteCount(labelled);
		return RepeatStatus.FINISHED;
	}

	/**
	 * With a committee that scored the day, its members' losses on the day's labels move
	 * its weights ({@link CommitteeRegistry#update}); what happened, in words, or null
	 * when there is no committee. When the members changed since the day was scored (a
	 * version entered or left), the day cannot weigh every member alike and the weights
	 * stay as they are.
	 */
	private String weigh(PipelineDefinition def, LocalDate day, long jobId) {
		if (def.committee() == null || !this.labels.membersScored(def, day)) {
			return null;
		}
		CommitteeRegistry.State now = this.committees.current(def.name()).orElse(null);
		if (now == null) {
			return null;
		}
		if (this.committees.history(def.name())
			.stream()
			.anyMatch(u -> "LABELS".equals(u.kind()) && day.equals(u.labelsFrom()))) {
			// a day joined again (more labels landed) must not weigh the members twice
			return "the committee's weights were not moved: the labels of " + day + " already moved them";
		}
		Map<Integer, Double> losses = new LinkedHashMap<>();
		for (ProductionLabels.Joined j : this.labels.joinMembers(def, day)) {
			losses.put(j.version(), loss(j));
		}
		if (!losses.keySet().equals(Set.copyOf(now.weights().versions()))) {
			String why = "the committee's weights were not moved: the day was scored by " + losses.keySet()
					+ ", the committee is now " + now.weights().versions();
			log.info("{} of {}, {}", day, def.name(), why);
			return why;
		}
		CommitteeRegistry.State after = this.committees.update(def.name(), losses, "label join " + jobId + " of " + day,
				day, day);
		log.info("committee of {} weighed on the labels of {}: losses {}, weights {}", def.name(), day, losses,
				after.byVersion());
		return "weights " + after.byVersion() + " (revision " + after.revision() + ")";
	}

	/**
	 * A member's loss on the joined rows ({@link CommitteeLoss}): the 0/1 error (binary:
	 * the stored probability of the second class against 0.5; multiclass: the stored
	 * class), or the relative squared error.
	 */
	static double loss(ProductionLabels.Joined j) {
		if (j.scores().task() == Task.MULTICLASS_CLASSIFICATION) {
			// multiclass predictions carry the predicted class's index
			int wrong = 0;
			for (int r = 0; r < j.labels().length; r++) {
				wrong += (j.scores().scores()[r] != j.labels()[r]) ? 1 : 0;
			}
			return (j.labels().length > 0) ? (double) wrong / j.labels().length : Double.NaN;
		}
		return CommitteeLoss.of(j.scores(), j.labels());
	}

}

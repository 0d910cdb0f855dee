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
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.CommitteeRegistry;
import dev.retrain.models.committee.CommitteeLoss;
import dev.retrain.models.features.Task;

/**
 * Joins a day's stored predictions with its labels ({@link ProductionLabels}) and records
 * the realised metric per version ({@link RealisedPerformance}), and of every version
 * that scored the day, served, committee member or shadow ({@link RealisedVersions}); a
 * join of the day again replaces what the last one recorded. With a committee that scored
 * the day, the members' recorded losses move the committee's weights, once per day. Then,
 * with {@code promotion.shadow}, a shadow that has now won enough periods in a row
 * becomes champion ({@link ShadowPromotion}).
 */
class LabelJoinStep implements Tasklet {

	private static final Logger log = LoggerFactory.getLogger(LabelJoinStep.class);

	private final PipelineCatalog catalog;

	private final ProductionLabels labels;

	private final RealisedPerformance realised;

	private final CommitteeRegistry committees;

	private final RealisedVersions versions;

	private final ShadowPromotion shadows;

	LabelJoinStep(PipelineCatalog catalog, ProductionLabels labels, RealisedPerformance realised,
			CommitteeRegistry committees, RealisedVersions versions, ShadowPromotion shadows) {
		this.catalog = catalog;
		this.labels = labels;
		this.realised = realised;
		this.committees = committees;
		this.versions = versions;
		this.shadows = shadows;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
		JobParameters p = chunk.getStepContext().getStepExecution().getJobExecution().getJobParameters();
		PipelineDefinition def = this.catalog.get(p.getString(ScoringLauncher.PIPELINE));
		LocalDate day = p.getLocalDate(ScoringLauncher.DATE);
		long jobId = chunk.getStepContext().getStepExecution().getJobExecutionId();
		String metric = def.promotion().metric().key();
		List<RealisedPerformance.Day> days = new ArrayList<>();
		List<RealisedVersions.Row> rows = new ArrayList<>();
		long labelled = 0;
		List<ProductionLabels.Joined> served = this.labels.join(def, day);
		for (ProductionLabels.Joined j : served) {
			Map<String, Double> metrics = j.metrics();
			Double value = metrics.containsKey(metric) ? metrics.get(metric) : metrics.get("accuracy");
			String named = metrics.containsKey(metric) ? metric : "accuracy";
			days.add(new RealisedPerformance.Day(day, j.version(), named, value, j.scoredRows(), j.labels().length,
					metrics));
			rows.add(row(day, j, RealisedVersions.ScoredAs.SERVED, metric, null));
			labelled += j.labels().length;
			log.info("realised {} of {} v{} on {}: {} ({} labelled of {} scored)", named, def.name(), j.version(), day,
					value, j.labels().length, j.scoredRows());
		}
		this.realised.replace(def.name(), day, days);
		// each committee member's own realised metric and loss: the losses that move the
		// weights are these
		Map<Integer, Double> memberLosses = new LinkedHashMap<>();
		if (this.labels.membersScored(def, day)) {
			for (ProductionLabels.Joined j : this.labels.joinMembers(def, day)) {
				RealisedVersions.Row r = row(day, j, RealisedVersions.ScoredAs.MEMBER, metric, null);
				rows.add(r);
				memberLosses.put(j.version(), r.loss());
			}
		}
		// each shadow against what was served, on the same rows
		ProductionLabels.Joined reference = (served.size() == 1) ? served.get(0) : null;
		for (ProductionLabels.Joined j : this.labels.joinShadows(def, day)) {
			ShadowComparison.Verdict verdict = ShadowComparison.compare(def.promotion().metric(),
					def.promotion().test(), j, reference);
			rows.add(row(day, j, RealisedVersions.ScoredAs.SHADOW, metric, verdict));
			log.info("shadow v{} of {} on {}: {}", j.version(), def.name(), day, verdict.verdict());
		}
		this.versions.replace(def.name(), day, rows);
		ExecutionContext context = chunk.getStepContext().getStepExecution().getExecutionContext();
		String committee = weigh(def, day, jobId, memberLosses);
		if (committee != null) {
			context.putString("committee", committee);
		}
		if (def.shadowPromotion() != null) {
			context.putString("shadow", this.shadows.consider(def, jobId, day));
		}
		context.putLong("rows", labelled);
		contribution.incrementWriteCount(labelled);
		return RepeatStatus.FINISHED;
	}

	/**
	 * A version's realised row of the day: {@code metric}'s value (multiclass: accuracy),
	 * every metric measured, and the committee's loss of the same rows.
	 */
	private static RealisedVersions.Row row(LocalDate day, ProductionLabels.Joined j, RealisedVersions.ScoredAs as,
			String metric, ShadowComparison.Verdict verdict) {
		Map<String, Double> metrics = j.metrics();
		Double value = metrics.containsKey(metric) ? metrics.get(metric) : metrics.get("accuracy");
		String named = metrics.containsKey(metric) ? metric : "accuracy";
		return new RealisedVersions.Row(day, j.version(), as, named, value, loss(j), j.scoredRows(), j.labels().length,
				metrics, (verdict != null) ? verdict.against() : null, (verdict != null) ? verdict.difference() : null,
				(verdict != null) ? verdict.won() : null, (verdict != null) ? verdict.verdict() : null);
	}

	/**
	 * With a committee that scored the day, its members' losses on the day's labels
	 * ({@code losses}, those recorded in {@link RealisedVersions}) move its weights
	 * ({@link CommitteeRegistry#update}); what happened, in words, or null when there is
	 * no committee. When the members changed since the day was scored (a version entered
	 * or left), the day cannot weigh every member alike and the weights stay as they are.
	 */
	private String weigh(PipelineDefinition def, LocalDate day, long jobId, Map<Integer, Double> losses) {
		if (def.committee() == null || losses.isEmpty()) {
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
		if (!losses.keySet().equals(Set.copyOf(now.weights().versions()))) {
			String why = "the committee's weights were not moved: the day was scored by " + losses.keySet()
					+ ", the committee is now " + now.weights().versions();
			log.info("{} of {}, {}", day, def.name(), why);
			return why;
		}
		CommitteeRegistry.State after = this.committees.update(def.name(), losses, "label join " + jobId,
				"label join " + jobId + " of " + day, day, day);
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

package dev.retrain.jobs.pipeline;

import java.text.ParseException;
import java.time.DateTimeException;
import java.time.ZoneId;

import org.quartz.CronExpression;

/**
 * What starts a run: a schedule (a Quartz cron, a time zone id), and the drift section
 * (cost as a trigger needs its prices).
 */
final class TriggerRules {

	private TriggerRules() {
	}

	static PipelineDefinition.Schedule schedule(String field, PipelineYaml.Schedule s,
			PipelineRules.Problems problems) {
		if (s == null) {
			return null;
		}
		String cron = s.cron();
		if (cron != null && !cron.isBlank() && !CronExpression.isValidExpression(cron)) {
			String why;
			try {
				new CronExpression(cron);
				why = "invalid";
			}
			catch (ParseException ex) {
				why = ex.getMessage();
			}
			problems.add(field + ".cron", "'" + cron + "' is not a Quartz cron expression (seconds minutes hours "
					+ "day-of-month month day-of-week, e.g. '0 0 2 * * ?'): " + why);
		}
		try {
			ZoneId.of(s.timeZone());
		}
		catch (DateTimeException ex) {
			problems.add(field + ".time-zone",
					"'" + s.timeZone() + "' is not a time zone id (e.g. UTC, Europe/Berlin)");
		}
		return new PipelineDefinition.Schedule(cron, s.timeZone());
	}

	static DriftPolicy drift(PipelineYaml.Drift d, PipelineRules.Problems problems) {
		if (d.triggerOn() != null && d.triggerOn().contains(DriftPolicy.Signal.COST) && d.cost() == null) {
			problems.add("drift.trigger-on", "cost needs drift.cost (retrain-cost, value-per-point)");
		}
		return new DriftPolicy(schedule("drift.schedule", d.schedule(), problems), d.currentDays(), d.minRows(),
				d.alpha(), d.minDriftedShare(), d.numericEffectFloor(), d.categoricalEffectFloor(),
				d.performanceFloor(), d.triggerOn().stream().filter(s -> s != null).toList(),
				d.combine() == PipelineYaml.Combine.ALL, d.cooldownHours(), d.onNewPartition(),
				(d.budget() != null && d.budget().maxRetrains() != null && d.budget().perDays() != null)
						? new DriftPolicy.Budget(d.budget().maxRetrains(), d.budget().perDays()) : null,
				(d.cost() != null && d.cost().retrainCost() != null && d.cost().valuePerPoint() != null)
						? new DriftPolicy.Cost(d.cost().retrainCost(), d.cost().valuePerPoint()) : null);
	}

}

package dev.retrain.orchestrator.scheduling;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

import dev.retrain.jobs.pipeline.PipelineNotFound;
import dev.retrain.orchestrator.scheduling.ScheduleChanged.Change;
import dev.retrain.orchestrator.web.Names;

/**
 * The stored schedules (Quartz triggers) as people see them, with their next fire times;
 * pausing, resuming and firing one now, each raising {@link ScheduleChanged}.
 */
@Service
public class Schedules {

	private final Scheduler scheduler;

	private final ApplicationEventPublisher events;

	Schedules(Scheduler scheduler, ApplicationEventPublisher events) {
		this.scheduler = scheduler;
		this.events = events;
	}

	/**
	 * One schedule: the pipeline, what it does, when, its state and its next and previous
	 * fire times.
	 */
	public record ScheduleView(String pipeline, String kind, String schedule, String state, Instant nextFireTime,
			Instant previousFireTime) {
	}

	/** Every schedule, kind by kind. */
	public List<ScheduleView> all() throws SchedulerException {
		List<ScheduleView> views = new ArrayList<>();
		for (ScheduleKind kind : ScheduleKind.values()) {
			for (TriggerKey key : this.scheduler.getTriggerKeys(GroupMatcher.triggerGroupEquals(kind.group()))) {
				views.add(view(kind, this.scheduler.getTrigger(key)));
			}
		}
		return views;
	}

	/** One pipeline's schedules: a trigger lookup per kind, not a scan of all of them. */
	public List<ScheduleView> forPipeline(String pipeline) throws SchedulerException {
		List<ScheduleView> views = new ArrayList<>();
		for (ScheduleKind kind : ScheduleKind.values()) {
			Trigger t = this.scheduler.getTrigger(TriggerKey.triggerKey(pipeline, kind.group()));
			if (t != null) {
				views.add(view(kind, t));
			}
		}
		return views;
	}

	/** Pauses a schedule; it stays paused across restarts and reloads. */
	public ScheduleView pause(String kind, String pipeline, String actor) throws SchedulerException {
		Trigger t = stored(kind, pipeline);
		this.scheduler.pauseTrigger(t.getKey());
		this.events.publishEvent(new ScheduleChanged(pipeline, kind, Change.PAUSED, actor));
		return view(ScheduleKind.of(kind), t);
	}

	public ScheduleView resume(String kind, String pipeline, String actor) throws SchedulerException {
		Trigger t = stored(kind, pipeline);
		this.scheduler.resumeTrigger(t.getKey());
		this.events.publishEvent(new ScheduleChanged(pipeline, kind, Change.RESUMED, actor));
		return view(ScheduleKind.of(kind), this.scheduler.getTrigger(t.getKey()));
	}

	/** Fires a schedule's job now; the one-run-per-pipeline rule still applies. */
	public ScheduleView trigger(String kind, String pipeline, String actor) throws SchedulerException {
		Trigger t = stored(kind, pipeline);
		this.scheduler.triggerJob(JobKey.jobKey(pipeline, ScheduleKind.of(kind).group()));
		this.events.publishEvent(new ScheduleChanged(pipeline, kind, Change.TRIGGERED, actor));
		return view(ScheduleKind.of(kind), t);
	}

	private Trigger stored(String kind, String pipeline) throws SchedulerException {
		Names.pipeline(pipeline);
		Trigger t = this.scheduler.getTrigger(TriggerKey.triggerKey(pipeline, ScheduleKind.of(kind).group()));
		if (t == null) {
			throw new PipelineNotFound(pipeline, "it has no " + kind + " schedule");
		}
		return t;
	}

	private ScheduleView view(ScheduleKind kind, Trigger t) throws SchedulerException {
		return new ScheduleView(t.getKey().getName(), kind.group(), ScheduleReconciler.describe(t),
				this.scheduler.getTriggerState(t.getKey()).name(), instant(t.getNextFireTime()),
				instant(t.getPreviousFireTime()));
	}

	private static Instant instant(Date d) {
		return (d != null) ? d.toInstant() : null;
	}

}

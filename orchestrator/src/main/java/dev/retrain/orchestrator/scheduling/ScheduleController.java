package dev.retrain.orchestrator.scheduling;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.pipeline.PipelineNotFound;
import dev.retrain.orchestrator.web.Actor;
import dev.retrain.orchestrator.web.Names;

/**
 * The stored schedules (Quartz triggers) with their next fire times; pause, resume,
 * trigger now.
 */
@RestController
@Tag(name = "schedules")
@RequestMapping("/api/schedules")
public class ScheduleController {

	private final Scheduler scheduler;

	private final AuditLog audit;

	ScheduleController(Scheduler scheduler, AuditLog audit) {
		this.scheduler = scheduler;
		this.audit = audit;
	}

	/**
	 * One schedule: the pipeline, what it does, when, its state and its next and previous
	 * fire times.
	 */
	public record ScheduleView(String pipeline, String kind, String schedule, String state, Instant nextFireTime,
			Instant previousFireTime) {
	}

	@GetMapping
	@Operation(summary = "List schedules (retrain, drift-check, data-arrival) with next fire times")
	public List<ScheduleView> list() throws SchedulerException {
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

	@PostMapping("/{kind}/{pipeline}/pause")
	@Operation(summary = "Pause a schedule (it stays paused across restarts and config reloads)")
	public ScheduleView pause(@PathVariable String kind, @PathVariable String pipeline) throws SchedulerException {
		Trigger t = stored(kind, pipeline);
		this.scheduler.pauseTrigger(t.getKey());
		this.audit.record(Actor.current(), "PAUSE_SCHEDULE", pipeline, kind, null);
		return view(ScheduleKind.of(kind), t);
	}

	@PostMapping("/{kind}/{pipeline}/resume")
	@Operation(summary = "Resume a paused schedule")
	public ScheduleView resume(@PathVariable String kind, @PathVariable String pipeline) throws SchedulerException {
		Trigger t = stored(kind, pipeline);
		this.scheduler.resumeTrigger(t.getKey());
		this.audit.record(Actor.current(), "RESUME_SCHEDULE", pipeline, kind, null);
		return view(ScheduleKind.of(kind), this.scheduler.getTrigger(t.getKey()));
	}

	@PostMapping("/{kind}/{pipeline}/trigger")
	@Operation(summary = "Fire a schedule's job now (the one-run-per-pipeline rule still applies)")
	public ResponseEntity<ScheduleView> trigger(@PathVariable String kind, @PathVariable String pipeline)
			throws SchedulerException {
		Trigger t = stored(kind, pipeline);
		this.scheduler.triggerJob(JobKey.jobKey(pipeline, ScheduleKind.of(kind).group()));
		this.audit.record(Actor.current(), "TRIGGER_SCHEDULE", pipeline, kind, null);
		return ResponseEntity.accepted().body(view(ScheduleKind.of(kind), t));
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

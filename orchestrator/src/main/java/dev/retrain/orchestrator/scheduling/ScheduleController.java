package dev.retrain.orchestrator.scheduling;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.quartz.SchedulerException;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.retrain.orchestrator.scheduling.Schedules.ScheduleView;
import dev.retrain.orchestrator.web.Actor;

/**
 * The stored schedules (Quartz triggers) with their next fire times; pause, resume,
 * trigger now.
 */
@RestController
@Tag(name = "schedules")
@RequestMapping("/api/schedules")
class ScheduleController {

	private final Schedules schedules;

	ScheduleController(Schedules schedules) {
		this.schedules = schedules;
	}

	@GetMapping
	@Operation(summary = "List schedules (retrain, drift-check, data-arrival) with next fire times")
	List<ScheduleView> list() throws SchedulerException {
		return this.schedules.all();
	}

	@PostMapping("/{kind}/{pipeline}/pause")
	@Operation(summary = "Pause a schedule (it stays paused across restarts and config reloads)")
	ScheduleView pause(@PathVariable String kind, @PathVariable String pipeline) throws SchedulerException {
		return this.schedules.pause(kind, pipeline, Actor.current());
	}

	@PostMapping("/{kind}/{pipeline}/resume")
	@Operation(summary = "Resume a paused schedule")
	ScheduleView resume(@PathVariable String kind, @PathVariable String pipeline) throws SchedulerException {
		return this.schedules.resume(kind, pipeline, Actor.current());
	}

	@PostMapping("/{kind}/{pipeline}/trigger")
	@Operation(summary = "Fire a schedule's job now (the one-run-per-pipeline rule still applies)")
	ResponseEntity<ScheduleView> trigger(@PathVariable String kind, @PathVariable String pipeline)
			throws SchedulerException {
		return ResponseEntity.accepted().body(this.schedules.trigger(kind, pipeline, Actor.current()));
	}

}

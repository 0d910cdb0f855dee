package dev.retrain.orchestrator.scheduling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeMap;

import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.pipeline.DriftPolicy;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;

/**
 * Makes the stored Quartz triggers follow the pipeline files: a new schedule is added, a
 * changed cron or time zone replaces the stored trigger (a paused one stays paused), and
 * the schedule of a removed pipeline goes away. Quartz does not start on its own
 * ({@code spring.quartz.auto-startup=false}): this starts it after reconciling, so an old
 * trigger never fires once more after its configuration changed. Run history is not
 * touched.
 *
 * <p>
 * Misfires: a fire taken up to {@code misfireThreshold} (10 minutes) late fires as
 * itself, with its slot; cron triggers that missed their slots by more (the application
 * was down) fire once when it comes back ({@code FIRE_AND_PROCEED}), not once per missed
 * slot.
 */
@Component
public class ScheduleReconciler implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ScheduleReconciler.class);

	static final int DATA_POLL_SECONDS = 60;

	private final Scheduler scheduler;

	private final PipelineCatalog catalog;

	private volatile boolean running;

	private final AuditLog audit;

	private final boolean worker;

	private final JdbcTemplate jdbc;

	private final String tablePrefix;

	public ScheduleReconciler(Scheduler scheduler, PipelineCatalog catalog, AuditLog audit, RetrainProperties props,
			JdbcTemplate jdbc,
			@Value("${spring.quartz.properties.org.quartz.jobStore.tablePrefix:QRTZ_}") String tablePrefix) {
		this.jdbc = jdbc;
		this.tablePrefix = tablePrefix;
		this.audit = audit;
		this.scheduler = scheduler;
		this.catalog = catalog;
		this.worker = props.workers().isWorker();
	}

	@Override
	public void start() {
		if (this.worker) {
			// a worker takes steps; the orchestrator nodes keep and fire the schedules
			log.info("schedules: not fired here (a worker: retrain.workers.consume is set)");
			this.running = true;
			return;
		}
		reconcileAlongsideOtherNodes();
		try {
			this.scheduler.start();
		}
		catch (SchedulerException ex) {
			throw new IllegalStateException("cannot start the scheduler: " + ex.getMessage(), ex);
		}
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Late, with the other schedulers. */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE - 1;
	}

	/**
	 * Nodes starting at the same moment reconcile the same triggers: Quartz's row locks
	 * do not cover storing a trigger the first time, so one node's insert can fail on the
	 * other's (duplicate key). Trying again finds the trigger there and compares it.
	 */
	private void reconcileAlongsideOtherNodes() {
		RetryTemplate retry = new RetryTemplate(RetryPolicy.builder()
			.maxRetries(5)
			.delay(Duration.ofMillis(200))
			.multiplier(2)
			.includes(IllegalStateException.class)
			.build());
		try {
			retry.execute(this::reconcile);
		}
		catch (RetryException ex) {
			throw (ex.getCause() instanceof RuntimeException r) ? r : new IllegalStateException(ex);
		}
	}

	/** What changed, in words (for logs and the audit trail). */
	public synchronized List<String> reconcile() {
		long started = System.nanoTime();
		List<Change> changes = new ArrayList<>();
		Map<JobKey, Trigger> desired = new TreeMap<>();
		try {
			for (PipelineDefinition def : this.catalog.all()) {
				if (def.schedule() != null) {
					desired.put(key(ScheduleKind.RETRAIN, def.name()),
							cron(ScheduleKind.RETRAIN, def.name(), def.schedule()));
				}
				if (def.scoring().schedule() != null) {
					desired.put(key(ScheduleKind.SCORING, def.name()),
							cron(ScheduleKind.SCORING, def.name(), def.scoring().schedule()));
				}
				DriftPolicy drift = def.drift();
				if (drift.schedule() != null) {
					desired.put(key(ScheduleKind.DRIFT_CHECK, def.name()),
							cron(ScheduleKind.DRIFT_CHECK, def.name(), drift.schedule()));
				}
				if (drift.onNewPartition() != DriftPolicy.OnNewPartition.NONE) {
					desired.put(key(ScheduleKind.DATA_ARRIVAL, def.name()), poll(def.name()));
				}
			}
			List<JobKey> removed = new ArrayList<>();
			for (ScheduleKind kind : ScheduleKind.values()) {
				Set<JobKey> existing = this.scheduler.getJobKeys(GroupMatcher.jobGroupEquals(kind.group()));
				for (JobKey k : existing) {
					if (!desired.containsKey(k)) {
						removed.add(k);
						changes.add(new Change(k.getName(), kind.group(),
								"removed " + kind.group() + " schedule of " + k.getName()));
					}
				}
			}
			if (!removed.isEmpty()) {
				this.scheduler.deleteJobs(removed);
			}
			// one read of every stored trigger, and every addition and change stored in
			// one transaction: a thousand schedules cost a few round trips, not
			// thousands (see docs/capacity.md)
			Map<TriggerKey, Stored> stored = stored();
			Map<JobDetail, Set<? extends Trigger>> toStore = new LinkedHashMap<>();
			List<TriggerKey> repause = new ArrayList<>();
			for (Map.Entry<JobKey, Trigger> e : desired.entrySet()) {
				JobKey key = e.getKey();
				Trigger wanted = e.getValue();
				ScheduleKind kind = ScheduleKind.of(key.getGroup());
				Stored was = stored.get(wanted.getKey());
				if (was != null && was.description().equals(describe(wanted))) {
					continue;
				}
				toStore.put(JobBuilder.newJob(kind.jobClass()).withIdentity(key).storeDurably().build(),
						Set.of(wanted));
				if (was == null) {
					changes.add(new Change(key.getName(), key.getGroup(),
							"added " + kind.group() + " schedule of " + key.getName() + " (" + describe(wanted) + ")"));
				}
				else {
					if (was.paused()) {
						repause.add(wanted.getKey());
					}
					changes.add(new Change(key.getName(), key.getGroup(), "changed " + kind.group() + " schedule of "
							+ key.getName() + " from " + was.description() + " to " + describe(wanted)));
				}
			}
			if (!toStore.isEmpty()) {
				// replace: another node starting at the same moment may have just stored
				// the same triggers (it refused to start with
				// ObjectAlreadyExistsException
				// before)
				this.scheduler.scheduleJobs(toStore, true);
			}
			for (TriggerKey k : repause) {
				// a paused schedule stays paused when its cron changes
				this.scheduler.pauseTrigger(k);
			}
		}
		catch (SchedulerException | DataAccessException ex) {
			throw new IllegalStateException("cannot reconcile schedules: " + ex.getMessage(), ex);
		}
		changes.forEach(c -> log.info("schedules: {}", c.text()));
		this.audit.recordAll("system", "SCHEDULE_CHANGE",
				changes.stream().map(c -> new AuditLog.Change(c.pipeline(), c.kind(), c.text())).toList());
		log.info("schedules: {} reconciled in {} ms, {} change(s)", desired.size(),
				(System.nanoTime() - started) / 1_000_000, changes.size());
		return changes.stream().map(Change::text).toList();
	}

	/** A change reconciliation made: whose schedule, which kind, in words. */
	private record Change(String pipeline, String kind, String text) {
	}

	/** A stored trigger: what it does in words ({@link #describe}), and if paused. */
	private record Stored(String description, boolean paused) {
	}

	/**
	 * Every trigger of this scheduler in one query on Quartz's tables (ours: the Flyway
	 * migration V4 creates them), rather than a lookup per trigger.
	 */
	private Map<TriggerKey, Stored> stored() throws SchedulerException {
		Map<TriggerKey, Stored> out = new HashMap<>();
		String t = this.tablePrefix;
		this.jdbc.query("SELECT t.trigger_name, t.trigger_group, t.trigger_type, t.trigger_state, "
				+ "c.cron_expression, c.time_zone_id FROM " + t + "triggers t LEFT JOIN " + t + "cron_triggers c "
				+ "ON c.sched_name = t.sched_name AND c.trigger_name = t.trigger_name "
				+ "AND c.trigger_group = t.trigger_group WHERE t.sched_name = ?", rs -> {
					String description = "CRON".equals(rs.getString(3))
							? "cron '" + rs.getString(5) + "' in " + rs.getString(6)
							: "every " + DATA_POLL_SECONDS + " s";
					out.put(TriggerKey.triggerKey(rs.getString(1), rs.getString(2)),
							new Stored(description, rs.getString(4).startsWith("PAUSED")));
				}, this.scheduler.getSchedulerName());
		return out;
	}

	static String describe(Trigger t) {
		if (t instanceof CronTrigger c) {
			return "cron '" + c.getCronExpression() + "' in " + c.getTimeZone().getID();
		}
		return "every " + DATA_POLL_SECONDS + " s";
	}

	static JobKey key(ScheduleKind kind, String pipeline) {
		return JobKey.jobKey(pipeline, kind.group());
	}

	private static Trigger cron(ScheduleKind kind, String pipeline, PipelineDefinition.Schedule s) {
		return TriggerBuilder.newTrigger()
			.withIdentity(TriggerKey.triggerKey(pipeline, kind.group()))
			.forJob(key(kind, pipeline))
			.withSchedule(CronScheduleBuilder.cronSchedule(s.cron())
				.inTimeZone(TimeZone.getTimeZone(s.timeZone()))
				.withMisfireHandlingInstructionFireAndProceed())
			.build();
	}

	private static Trigger poll(String pipeline) {
		return TriggerBuilder.newTrigger()
			.withIdentity(TriggerKey.triggerKey(pipeline, ScheduleKind.DATA_ARRIVAL.group()))
			.forJob(key(ScheduleKind.DATA_ARRIVAL, pipeline))
			.startAt(new Date())
			.withSchedule(SimpleScheduleBuilder.repeatSecondlyForever(DATA_POLL_SECONDS)
				.withMisfireHandlingInstructionNextWithRemainingCount())
			.build();
	}

}

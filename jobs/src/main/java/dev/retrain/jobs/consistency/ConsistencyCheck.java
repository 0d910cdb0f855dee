package dev.retrain.jobs.consistency;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.models.store.ModelStore;

/**
 * Lists every disagreement between the registry, the model store and the job repository,
 * and fixes none but the store's copy of the champion alias ({@link #repairedPointer}): a
 * registered version whose files are missing (worse when it is the champion), a version
 * directory without a registry row, a run record that says running while its job
 * execution has ended, a pipeline lock held for a run that has ended. What start-up
 * repairs by itself (leftover directories, this node's interrupted runs) is listed until
 * it does.
 */
public class ConsistencyCheck {

	private static final Logger log = LoggerFactory.getLogger(ConsistencyCheck.class);

	/** One disagreement: what kind, where, and what each side says. */
	public record Disagreement(Kind kind, String pipeline, String subject, String detail) {
	}

	/** The kinds of disagreement. */
	public enum Kind {

		/** The champion alias points at a version whose files are not in the store. */
		CHAMPION_FILES_MISSING,
		/** A registered version's files are not in the store. */
		VERSION_FILES_MISSING,
		/** A version directory in the store that the registry does not list. */
		UNREGISTERED_STORE_DIRECTORY,
		/**
		 * A run record says the run is running; its job execution has ended (or is gone).
		 */
		RUN_RECORD_STALE,
		/** A pipeline lock held for a run whose job execution has ended. */
		LOCK_OF_ENDED_RUN,
		/**
		 * The store's copy of the champion alias (what {@code Champion.from(storeUri)}
		 * reads) names another version than the registry, or is missing.
		 */
		CHAMPION_POINTER_STALE

	}

	/** What a check found, and when. */
	public record Report(Instant checkedAt, List<Disagreement> disagreements) {

		public boolean consistent() {
			return this.disagreements.isEmpty();
		}

	}

	private final ModelRegistry registry;

	private final ModelStore store;

	private final JdbcTemplate jdbc;

	private final JobRepository jobs;

	private final Clock clock;

	public ConsistencyCheck(ModelRegistry registry, ModelStore store, JdbcTemplate jdbc, JobRepository jobs,
			Clock clock) {
		this.registry = registry;
		this.store = store;
		this.jdbc = jdbc;
		this.jobs = jobs;
		this.clock = clock;
	}

	public Report run() {
		List<Disagreement> found = new ArrayList<>();
		Set<String> pipelines = new TreeSet<>(this.registry.pipelinesWithVersions());
		pipelines.addAll(this.store.pipelines());
		for (String pipeline : pipelines) {
			Set<Integer> registered = this.registry.registeredVersions(pipeline);
			Integer champion = this.registry.champion(pipeline).orElse(null);
			for (int version : registered) {
				List<String> missing = this.store.problems(pipeline, version);
				if (!missing.isEmpty()) {
					found.add(new Disagreement(
							(Integer.valueOf(version).equals(champion)) ? Kind.CHAMPION_FILES_MISSING
									: Kind.VERSION_FILES_MISSING,
							pipeline, "v" + version, "registered, but " + String.join("; ", missing)));
				}
			}
			if (champion != null) {
				Integer pointer = this.store.readAlias(pipeline, "champion").orElse(null);
				if (!champion.equals(pointer) && !repairedPointer(pipeline, champion, pointer)) {
					found.add(new Disagreement(Kind.CHAMPION_POINTER_STALE, pipeline, "champion",
							"the registry's champion is v" + champion + ", the store's " + pipeline
									+ "/aliases/champion.json says "
									+ ((pointer != null) ? "v" + pointer : "nothing (it is missing)")));
				}
			}
			for (int version : this.store.storedVersions(pipeline)) {
				if (!registered.contains(version)) {
					found.add(new Disagreement(Kind.UNREGISTERED_STORE_DIRECTORY, pipeline, "v" + version,
							"in the store (" + pipeline + "/" + version + "), not in the registry"));
				}
			}
		}
		rowsOfEndedRuns("SELECT run_id, pipeline, status FROM retrain_run WHERE status IN ('STARTED', 'STOPPING')",
				Kind.RUN_RECORD_STALE,
				(row, ended) -> "the run record says " + row.get("status") + ", its job execution " + ended, found);
		rowsOfEndedRuns("SELECT pipeline, run_id, holder FROM pipeline_lock WHERE run_id IS NOT NULL",
				Kind.LOCK_OF_ENDED_RUN,
				(row, ended) -> "locked by node " + row.get("holder") + " for a run whose job execution " + ended,
				found);
		return new Report(this.clock.instant(), List.copyOf(found));
	}

	/**
	 * The one disagreement the check mends, because the registry is the authority and the
	 * pointer only its copy: a champion move whose commit reached the database while the
	 * node learnt nothing of it (a cut connection) left the store's pointer behind, and
	 * every {@code Champion} reading the store would serve the old version until a
	 * restart. Logged; listed when the write fails.
	 */
	private boolean repairedPointer(String pipeline, int champion, Integer pointer) {
		try {
			this.store.writeAlias(pipeline, "champion", champion);
			log.warn("repaired the store's champion pointer of {}: it said {}, the registry's champion is v{}",
					pipeline, (pointer != null) ? "v" + pointer : "nothing", champion);
			return true;
		}
		catch (RuntimeException ex) {
			log.warn("cannot repair the store's champion pointer of {}: {}", pipeline, ex.getMessage());
			return false;
		}
	}

	/**
	 * A disagreement of {@code kind} for each row (with {@code run_id} and
	 * {@code pipeline}) whose run has ended.
	 */
	private void rowsOfEndedRuns(String sql, Kind kind, BiFunction<Map<String, Object>, String, String> detail,
			List<Disagreement> found) {
		for (Map<String, Object> row : this.jdbc.queryForList(sql)) {
			long runId = ((Number) row.get("run_id")).longValue();
			String ended = ended(runId);
			if (ended != null) {
				found.add(
						new Disagreement(kind, (String) row.get("pipeline"), "run " + runId, detail.apply(row, ended)));
			}
		}
	}

	/** Why a run is not running, or null when its job execution still runs. */
	private String ended(long runId) {
		JobExecution execution;
		try {
			execution = this.jobs.getJobExecution(runId);
		}
		catch (EmptyResultDataAccessException ex) {
			execution = null;
		}
		if (execution == null) {
			return "does not exist";
		}
		return execution.isRunning() ? null : "ended " + execution.getStatus();
	}

}

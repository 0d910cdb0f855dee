package dev.retrain.jobs.registry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;

/**
 * Promotion decides who enters the committee: when the champion alias of a pipeline with
 * a {@code promotion.committee} moves to a version (a run's promotion, a person's promote
 * or rollback), once that move has committed, the version enters the committee
 * ({@link CommitteeRegistry#admit}; a member already in it changes nothing). A rollback
 * also takes the version rolled back from out of the committee
 * ({@link CommitteeRegistry#retire}): the champion alias names one version, the one
 * promotion let in last, and the served committee never keeps voting with a version a
 * person rolled back. A rollback <em>to</em> a member keeps it in the committee (it is
 * already in: nothing changes but the alias).
 * <p>
 * Each change writes the committee into the model store beside the alias pointer
 * ({@link CommitteeRegistry}); when the pipeline file no longer has
 * {@code promotion.committee}, the next champion move removes it (the alias's version
 * serves alone, as from the API), and every node's start makes the store's committee of
 * each pipeline the registry's ({@link CommitteeRegistry#syncStore}). A champion whose
 * admission failed (logged as a warning: the store or the database could not be written
 * then) enters at the next node's start.
 */
class CommitteeMembership {

	private static final Logger log = LoggerFactory.getLogger(CommitteeMembership.class);

	private final CommitteeRegistry committees;

	private final PipelineCatalog catalog;

	private final ModelRegistry registry;

	CommitteeMembership(CommitteeRegistry committees, PipelineCatalog catalog, ModelRegistry registry) {
		this.committees = committees;
		this.catalog = catalog;
		this.registry = registry;
	}

	@TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
	void on(ChampionChanged e) {
		try {
			PipelineDefinition def = this.catalog.get(e.pipeline());
			if (def.committee() != null) {
				if (e.move() == ChampionMove.ROLLBACK && e.from() != null && e.from() != e.to()) {
					// a person said the version rolled back from is worse: it stops
					// voting
					this.committees.retire(e.pipeline(), e.from(), e.actor(),
							"v" + e.from() + " rolled back to v" + e.to() + " by " + e.actor());
				}
				this.committees.admit(e.pipeline(), def.committee(), e.to(), e.actor(),
						"v" + e.to() + " became champion (" + e.move() + " by " + e.actor() + ")");
			}
			else {
				// promotion.committee was removed: the store stops serving it
				this.committees.syncStore(e.pipeline(), false);
			}
		}
		catch (RuntimeException ex) {
			log.warn(
					"the committee of {} did not follow v{} becoming champion (a node's start lets the champion in): {}",
					e.pipeline(), e.to(), ex.getMessage());
		}
	}

	/**
	 * At start-up, for each pipeline with a committee: a champion that is not a member
	 * (its admission failed) enters, and the store's committee is made the registry's (a
	 * node that died between writing the store and committing, or a pipeline file that no
	 * longer has {@code promotion.committee}).
	 */
	@EventListener(ApplicationReadyEvent.class)
	void syncStore() {
		for (String pipeline : this.committees.pipelines()) {
			try {
				PipelineDefinition def = this.catalog.state().pipelines().get(pipeline);
				if (def == null) {
					// no file, or one that failed to load: the store keeps what it serves
					continue;
				}
				Integer champion = this.registry.champion(pipeline).orElse(null);
				if (def.committee() != null && champion != null
						&& !this.committees.members(pipeline).contains(champion)) {
					// its admission failed after the move committed (the store or the
					// database could not be written then)
					this.committees.admit(pipeline, def.committee(), champion, "system",
							"v" + champion + " is champion but was not in the committee: entered at a node's start");
				}
				if (this.committees.syncStore(pipeline, def.committee() != null)) {
					log.info("the committee of {} in the model store was rewritten from the registry", pipeline);
				}
			}
			catch (RuntimeException ex) {
				log.warn("cannot check the committee of {} in the model store: {}", pipeline, ex.getMessage());
			}
		}
	}

}

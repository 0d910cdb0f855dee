package dev.retrain.jobs.registry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * person rolled back.
 */
class CommitteeMembership {

	private static final Logger log = LoggerFactory.getLogger(CommitteeMembership.class);

	private final CommitteeRegistry committees;

	private final PipelineCatalog catalog;

	CommitteeMembership(CommitteeRegistry committees, PipelineCatalog catalog) {
		this.committees = committees;
		this.catalog = catalog;
	}

	@TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
	void on(ChampionChanged e) {
		try {
			PipelineDefinition def = this.catalog.get(e.pipeline());
			if (def.committee() != null) {
				if (e.move() == ChampionMove.ROLLBACK && e.from() != null && e.from() != e.to()) {
					// a person said the version rolled back from is worse: it stops
					// voting
					this.committees.retire(e.pipeline(), e.from(),
							"v" + e.from() + " rolled back to v" + e.to() + " by " + e.actor());
				}
				this.committees.admit(e.pipeline(), def.committee(), e.to(),
						"v" + e.to() + " became champion (" + e.move() + " by " + e.actor() + ")");
			}
		}
		catch (RuntimeException ex) {
			log.warn("v{} of {} did not enter its committee: {}", e.to(), e.pipeline(), ex.getMessage());
		}
	}

}

package dev.retrain.jobs.registry;

import java.util.Objects;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

import dev.retrain.models.store.ModelStore;

/**
 * Keeps the model store's copy of each champion alias
 * ({@code <pipeline>/aliases/champion.json}) in step with the registry, so that a serving
 * application reading only the store ({@code Champion.from(storeUri, pipeline)}) finds
 * the champion: written once the transaction that moved the alias has committed, and
 * every pointer checked and rewritten where it differs when a node starts (a node that
 * died between the commit and the write). The registry stays the authority; the
 * consistency check reports a pointer that disagrees with it.
 */
class AliasPointers {

	private static final Logger log = LoggerFactory.getLogger(AliasPointers.class);

	static final String CHAMPION = "champion";

	private final ModelRegistry registry;

	private final ModelStore store;

	AliasPointers(ModelRegistry registry, ModelStore store) {
		this.registry = registry;
		this.store = store;
	}

	/**
	 * After the move's transaction ended, however it ended: a commit the database applied
	 * but whose answer was lost looks like a failure here, so the pointer is written from
	 * the registry as it now is, not from the event.
	 */
	@TransactionalEventListener(phase = TransactionPhase.AFTER_COMPLETION, fallbackExecution = true)
	void on(ChampionChanged e) {
		write(e.pipeline());
	}

	@EventListener(ApplicationReadyEvent.class)
	void sync() {
		for (String pipeline : this.registry.pipelinesWithVersions()) {
			try {
				Optional<Integer> champion = this.registry.champion(pipeline);
				if (champion.isPresent()
						&& !Objects.equals(this.store.readAlias(pipeline, CHAMPION).orElse(null), champion.get())) {
					write(pipeline);
				}
			}
			catch (RuntimeException ex) {
				log.warn("cannot check the champion pointer of {} in the store: {}", pipeline, ex.getMessage());
			}
		}
	}

	/** Writes the registry's champion now (read again: the newest move wins). */
	private void write(String pipeline) {
		try {
			Optional<Integer> champion = this.registry.champion(pipeline);
			if (champion.isPresent()) {
				this.store.writeAlias(pipeline, CHAMPION, champion.get());
			}
		}
		catch (RuntimeException ex) {
			log.warn("the champion pointer of {} in the store was not written (a node's next start rewrites it): {}",
					pipeline, ex.getMessage());
		}
	}

}

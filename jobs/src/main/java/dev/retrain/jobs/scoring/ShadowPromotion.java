package dev.retrain.jobs.scoring;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.jobs.pipeline.PipelineDefinition;
import dev.retrain.jobs.registry.IllegalTransition;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.PromotionConflict;
import dev.retrain.jobs.registry.RegistryOperations;

/**
 * {@code promotion.shadow: {periods: N}}: after a label join has recorded a day, a shadow
 * version judged that day becomes champion when each of its newest N judged periods
 * ({@link RealisedVersions}, newest first) is a win against the champion as it is now: it
 * beat the served predictions on the same labelled rows, through {@code promotion.test}
 * when the pipeline has one. One loss, a period not measured, or a period judged against
 * another champion breaks the run, so a shadow needs N wins in a row against this
 * champion. The move is the version's lifecycle move
 * ({@link RegistryOperations#promoteFromShadow}): audited, compare-and-set on the
 * champion, refused for what the lifecycle refuses. With several shadows there, the one
 * with the largest sum of differences over its N periods moves.
 */
public class ShadowPromotion {

	private static final Logger log = LoggerFactory.getLogger(ShadowPromotion.class);

	private final RealisedVersions versions;

	private final ModelRegistry registry;

	private final RegistryOperations operations;

	private final TransactionTemplate own;

	/**
	 * The move runs in a transaction of its own ({@code REQUIRES_NEW}): a champion move
	 * that loses its compare-and-set rolls its own transaction back, which must not take
	 * the label join's recorded rows with it.
	 */
	public ShadowPromotion(RealisedVersions versions, ModelRegistry registry, RegistryOperations operations,
			TransactionTemplate tx) {
		this.versions = versions;
		this.registry = registry;
		this.operations = operations;
		this.own = new TransactionTemplate(tx.getTransactionManager());
		this.own.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	/** Considers the shadows judged on {@code day}; what happened, in words. */
	public String consider(PipelineDefinition def, long jobId, LocalDate day) {
		int periods = def.shadowPromotion().periods();
		Integer champion = this.registry.champion(def.name()).orElse(null);
		if (champion == null) {
			return "no champion: no shadow can replace one";
		}
		List<String> notes = new ArrayList<>();
		List<Candidate> ready = new ArrayList<>();
		for (RealisedVersions.Row today : this.versions.between(def.name(), day, day)) {
			if (today.scoredAs() != RealisedVersions.ScoredAs.SHADOW || today.version() == champion) {
				continue;
			}
			List<RealisedVersions.Row> newest = this.versions.newestAsShadow(def.name(), today.version(), periods);
			int streak = 0;
			double sum = 0;
			for (RealisedVersions.Row r : newest) {
				if (!Boolean.TRUE.equals(r.won()) || !Objects.equals(r.againstVersion(), champion)) {
					break;
				}
				streak++;
				sum += r.difference();
			}
			if (streak < periods) {
				notes.add(String.format(Locale.ROOT, "v%d has won %d of the %d periods in a row it needs against v%d",
						today.version(), streak, periods, champion));
				continue;
			}
			ready.add(new Candidate(today.version(), sum, newest));
		}
		if (ready.isEmpty()) {
			return notes.isEmpty() ? "no shadow judged on " + day : String.join("; ", notes);
		}
		Candidate best = ready.stream().max(Comparator.comparingDouble(Candidate::sum)).orElseThrow();
		RealisedVersions.Row first = best.periods().get(best.periods().size() - 1);
		List<String> differences = new ArrayList<>();
		for (RealisedVersions.Row r : best.periods()) {
			differences.add(0, String.format(Locale.ROOT, "%+.4f", r.difference()));
		}
		String evidence = String.format(Locale.ROOT,
				"v%d beat champion v%d on real labels in each of its newest %d periods (%s to %s; %s difference "
						+ "%s, sum %+.4f), label join %d of %s",
				best.version(), champion, periods, first.day(), best.periods().get(0).day(), first.metric(),
				differences, best.sum(), jobId, day);
		try {
			this.own.executeWithoutResult(status -> this.operations.promoteFromShadow(def.name(), best.version(),
					champion, "label join " + jobId, evidence));
			log.info("shadow promotion of {}: {}", def.name(), evidence);
			return "promoted: " + evidence;
		}
		catch (IllegalTransition | PromotionConflict ex) {
			log.warn("shadow v{} of {} won {} periods but was not promoted: {}", best.version(), def.name(), periods,
					ex.getMessage());
			return "v" + best.version() + " won " + periods + " periods in a row but was not promoted: "
					+ ex.getMessage();
		}
		catch (RuntimeException ex) {
			// e.g. its files are gone (a champion must be loadable): the day's rows stay
			log.warn("shadow v{} of {} won {} periods, its promotion failed", best.version(), def.name(), periods, ex);
			return "v" + best.version() + " won " + periods + " periods in a row but its promotion failed: "
					+ ex.getMessage();
		}
	}

	private record Candidate(int version, double sum, List<RealisedVersions.Row> periods) {
	}

}

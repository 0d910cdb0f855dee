package dev.retrain.jobs.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.util.FileSystemUtils;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.audit.AuditLog.Entry;
import dev.retrain.models.committee.CommitteeManifest;
import dev.retrain.models.json.Json;
import dev.retrain.models.promotion.PromotionDecision;
import dev.retrain.models.promotion.PromotionDecision.Outcome;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Every change of a committee is a row of the audit log, written in the change's own
 * transaction, on the real database: a member entering (by a run's promotion, the oldest
 * leaving past K), labels moving the weights (the source, the labels' period, the
 * revision), a member leaving; a refused change and a change that failed (the store could
 * not be written) write no row and change nothing. After each change the store holds the
 * committee the registry holds.
 */
class CommitteeAuditTests extends RetrainTestSupport {

	@Autowired
	CommitteeRegistry committees;

	@Autowired
	AuditLog audit;

	@Autowired
	CommitteeMembership membership;

	private static ModelVersion.Transition winner(String pipeline, int version, Integer seen) {
		return ModelVersion.register(
				new ModelVersion.Candidate(pipeline, version, Instant.now(), 700 + version, 800 + version, "RETRAIN",
						null, "ds", "h", "roc_auc", 0.9, "{}", "/nowhere"),
				new PromotionDecision(Outcome.PROMOTE, "promoted: better", List.of()), seen, seen, false);
	}

	/** The pipeline's committee audit rows, oldest first. */
	private List<Entry> committeeRows(String pipeline) {
		return this.audit.query(pipeline, null, 1000)
			.stream()
			.filter(e -> e.action().startsWith("COMMITTEE_"))
			.sorted(java.util.Comparator.comparingLong(Entry::id))
			.toList();
	}

	/** The committee the store holds beside the alias pointer. */
	private CommitteeManifest inStore(String pipeline) {
		return Json.MAPPER.readValue(this.store.readCommittee(pipeline).orElseThrow(), CommitteeManifest.class);
	}

	private void assertStoreIsRegistry(String pipeline) {
		CommitteeRegistry.State now = this.committees.current(pipeline).orElseThrow();
		CommitteeManifest stored = inStore(pipeline);
		assertThat(stored.revision()).isEqualTo(now.revision());
		assertThat(stored.members()).isEqualTo(now.weights().members());
		assertThat(stored.spec()).isEqualTo(now.weights().spec());
		assertThat(stored.champion()).isEqualTo(this.registry.champion(pipeline).orElseThrow());
	}

	@Test
	void everyChangeOfTheCommitteeIsAuditedWithItAndNoFailedOrRefusedOne() throws Exception {
		String p = "committee-audited";
		definePipeline(p, yaml(p, p, GOOD_MODEL, "").replace("  guards:\n",
				"  committee: {size: 2, weighting: hedge, eta: " + Math.log(2) + "}\n  guards:\n"));
		// three promotions by runs: v1, v2 enter; v3 enters and v1 leaves past size 2
		for (int v = 1; v <= 3; v++) {
			assertThat(this.registry.register(winner(p, v, (v == 1) ? null : v - 1)).decision())
				.isEqualTo(Decision.PROMOTE);
			assertStoreIsRegistry(p);
		}
		List<Entry> rows = committeeRows(p);
		assertThat(rows).extracting(Entry::action, Entry::pipeline, Entry::target, Entry::actor)
			.containsExactly(tuple(CommitteeRegistry.AUDIT_ADMIT, p, "v1", "run 701"),
					tuple(CommitteeRegistry.AUDIT_ADMIT, p, "v2", "run 702"),
					tuple(CommitteeRegistry.AUDIT_ADMIT, p, "v3", "run 703"));
		assertThat(rows.get(0).details()).startsWith("revision 1: [v1] entered; members [] -> [v1]")
			.contains("v1 became champion (AUTOMATIC by run 701)");
		assertThat(rows.get(2).details())
			.startsWith("revision 3: [v3] entered, [v1] left (past size 2); members [v1, v2] -> [v2, v3], weights "
					+ "{v2=0.5000, v3=0.5000}");

		// labels move the weights: the source, the period, the losses, the revision
		LocalDate day = LocalDate.parse("2024-04-02");
		CommitteeRegistry.State weighed = this.committees.update(p, Map.of(2, 1.0, 3, 0.0), "label join 9",
				"label join 9 of " + day, day, day);
		assertThat(weighed.revision()).isEqualTo(4);
		assertStoreIsRegistry(p);
		Entry labels = committeeRows(p).get(3);
		assertThat(labels.action()).isEqualTo(CommitteeRegistry.AUDIT_WEIGHTS);
		assertThat(labels.actor()).isEqualTo("label join 9");
		assertThat(labels.target()).isEqualTo("committee");
		assertThat(labels.details()).isEqualTo("revision 4: labels of 2024-04-02 moved the weights, losses "
				+ "{v2=1.0000, v3=0.0000}; members [v2, v3] -> [v2, v3], weights {v2=0.3333, v3=0.6667} "
				+ "(label join 9 of 2024-04-02)");

		// refused: a member without a loss, a version not a member, a pipeline without a
		// committee; no row, nothing changed
		assertThatThrownBy(() -> this.committees.update(p, Map.of(2, 0.0), "x", "partial", day, day))
			.hasMessageContaining("no loss for member v3");
		assertThat(this.committees.retire(p, 1, "alice", "not a member")).isEmpty();
		assertThatThrownBy(() -> this.committees.update("no-committee-here", Map.of(1, 0.0), "x", "y", day, day))
			.hasMessageContaining("has no committee");
		assertThat(committeeRows(p)).hasSize(4);
		assertThat(this.audit.query("no-committee-here", null, 10)).isEmpty();

		// failed: the store cannot be written (a directory where the file goes), so the
		// change rolls back: no revision, no history, no audit row, and the store is
		// never behind the database
		Path blocker = this.store.root().resolve(p).resolve("aliases").resolve("champion.committee.json");
		Files.delete(blocker);
		Files.createDirectories(blocker.resolve("in-the-way"));
		assertThatThrownBy(() -> this.committees.update(p, Map.of(2, 0.0, 3, 1.0), "label join 10",
				"label join 10 of " + day.plusDays(1), day.plusDays(1), day.plusDays(1)))
			.hasMessageContaining("cannot write the committee of " + p);
		assertThat(this.committees.current(p).orElseThrow().revision()).isEqualTo(4);
		assertThat(this.committees.history(p)).hasSize(4);
		assertThat(committeeRows(p)).hasSize(4);
		FileSystemUtils.deleteRecursively(blocker);
		// what a node's start does: the store's committee made the registry's
		assertThat(this.committees.syncStore(p, true)).isTrue();
		assertStoreIsRegistry(p);
		assertThat(this.committees.syncStore(p, true)).as("already the registry's").isFalse();

		// a member leaves (what a rollback away from it does): audited with who and why
		this.committees.retire(p, 3, "alice", "v3 rolled back to v2 by alice");
		Entry retired = committeeRows(p).get(4);
		assertThat(retired.action()).isEqualTo(CommitteeRegistry.AUDIT_RETIRE);
		assertThat(retired.actor()).isEqualTo("alice");
		assertThat(retired.target()).isEqualTo("v3");
		assertThat(retired.details()).startsWith("revision 5: [v3] left; members [v2, v3] -> [v2], weights {v2=1.0000}")
			.endsWith("(v3 rolled back to v2 by alice)");
		assertThat(inStore(p).revision()).isEqualTo(5);
		assertThat(inStore(p).versions()).containsExactly(2);

		// v3 is still the champion here (no rollback moved the alias): as after an
		// admission that failed, a node's start lets it in again
		this.membership.syncStore();
		assertThat(this.committees.current(p).orElseThrow().weights().versions()).containsExactly(2, 3);
		Entry repaired = committeeRows(p).get(5);
		assertThat(repaired.action()).isEqualTo(CommitteeRegistry.AUDIT_ADMIT);
		assertThat(repaired.actor()).isEqualTo("system");
		assertThat(repaired.target()).isEqualTo("v3");
		assertStoreIsRegistry(p);

		// promotion.committee removed from the file: the store stops serving it
		assertThat(this.committees.syncStore(p, false)).isTrue();
		assertThat(this.store.readCommittee(p)).isEmpty();
	}

}

package dev.retrain.jobs.registry;

import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.dataset.Column;
import dev.retrain.models.dataset.NumericColumn;
import dev.retrain.models.dataset.StringColumn;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.serving.Champion;
import dev.retrain.models.serving.Scored;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A committee champion served straight from a local-directory model store
 * ({@code Champion.from(storeDir, pipeline)}, no API): the registry writes the committee
 * beside the alias pointer on every change, the client's scores are the weighted vote of
 * the members (computed here from each member loaded alone), a weight update is picked
 * up, a rollback to a member makes it the alias and keeps it in the committee, and a
 * store without the committee file serves the alias's version alone.
 */
class CommitteeStoreServingTests extends RetrainTestSupport {

	static final String PIPELINE = "store-voted";

	@Autowired
	RegistryOperations operations;

	@Autowired
	CommitteeRegistry committees;

	@Autowired
	AuditLog audit;

	private int champion() {
		return this.registry.champion(PIPELINE).orElseThrow();
	}

	/** Runs the pipeline and makes the new version champion (forced when it lost). */
	private void newChampion(LocalDate asOf, String key, int version) {
		RunRecord r = run(PIPELINE, asOf, key);
		assertThat(r.status()).as(r.failureReason()).isEqualTo("COMPLETED");
		if (champion() != version) {
			this.operations.promote(PIPELINE, version, champion(), "alice", "a committee of " + version, true);
		}
		assertThat(champion()).isEqualTo(version);
	}

	private static List<Map<String, Object>> rows() {
		List<Map<String, Object>> rows = new ArrayList<>();
		String[] plans = { "basic", "pro", "basic", "team", "pro", "basic" };
		String[] regions = { "north", "south", "east", "west", "north", "south" };
		for (int i = 0; i < plans.length; i++) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("tenure_days", 30.0 + 170 * i);
			row.put("monthly_spend", 5.0 + 11 * i);
			row.put("sessions", (double) (i * 3 % 7));
			row.put("support_calls", (double) (5 - i % 5));
			row.put("plan", plans[i]);
			row.put("region", regions[i]);
			rows.add(row);
		}
		return rows;
	}

	private static Table table(List<Map<String, Object>> rows) {
		Map<String, Column> columns = new LinkedHashMap<>();
		for (String name : rows.get(0).keySet()) {
			if (rows.get(0).get(name) instanceof Double) {
				columns.put(name, new NumericColumn(name,
						rows.stream().mapToDouble(r -> (Double) r.get(name)).toArray(), new boolean[rows.size()]));
			}
			else {
				columns.put(name,
						new StringColumn(name, rows.stream().map(r -> (String) r.get(name)).toArray(String[]::new)));
			}
		}
		return new Table(columns, rows.size(), null, List.of());
	}

	/** The weighted vote computed here: each member loaded alone, weighted by hand. */
	private double[] handVote(Map<Integer, Double> weights, List<Map<String, Object>> rows) {
		double[] vote = new double[rows.size()];
		for (Map.Entry<Integer, Double> w : weights.entrySet()) {
			try (ModelArtifact member = this.store.load(PIPELINE, w.getKey())) {
				double[] s = member.predict(table(rows)).scores();
				for (int r = 0; r < vote.length; r++) {
					vote[r] += w.getValue() * s[r];
				}
			}
		}
		return vote;
	}

	private static void assertScores(List<Scored> scored, double[] expected, int version) {
		assertThat(scored).hasSize(expected.length);
		for (int r = 0; r < expected.length; r++) {
			assertThat(scored.get(r).version()).isEqualTo(version);
			assertThat(scored.get(r).score()).as("row " + r).isCloseTo(expected[r], within(1e-6));
		}
	}

	@Test
	void aStoreReadServesTheCommitteeAndFollowsItsWeightsAndARollbackToAMember() throws Exception {
		sampleData(DATA_DIR, PIPELINE, 150, 41);
		definePipeline(PIPELINE, yaml(PIPELINE, PIPELINE, GOOD_MODEL, "").replace("  guards:\n",
				"  committee: {size: 3, weighting: hedge, eta: 3}\n  guards:\n"));
		newChampion(LAST.minusDays(3), "first", 1);
		newChampion(LAST.minusDays(1), "second", 2);
		newChampion(LAST, "third", 3);
		assertThat(this.committees.current(PIPELINE).orElseThrow().weights().versions()).containsExactly(1, 2, 3);
		LocalDate day = LAST.plusDays(1);
		this.committees.update(PIPELINE, Map.of(1, 0.1, 2, 0.4, 3, 0.2), "label join 1", "labels of the test", day,
				day);
		Map<Integer, Double> weights = this.committees.current(PIPELINE).orElseThrow().byVersion();

		List<Map<String, Object>> rows = rows();
		try (Champion served = Champion.builder(this.store.root().toString(), PIPELINE).pollEvery(null).build()) {
			// the committee, read from the store alone: the alias's version, the weights,
			// the weighted vote of the members' own predictions
			assertThat(served.version()).isEqualTo(3);
			assertThat(served.committee()).isEqualTo(weights);
			double[] vote = handVote(weights, rows);
			assertScores(served.score(rows), vote, 3);
			assertThat(served.score(table(rows)).predictions().scores()).containsExactly(vote, within(1e-6));
			try (ModelArtifact v3 = this.store.load(PIPELINE, 3)) {
				assertThat(v3.predict(table(rows)).scores()).as("the vote is not v3 alone").isNotEqualTo(vote);
			}
			assertThat(served.refresh()).as("nothing changed").isFalse();

			// labels move the weights: a new revision, picked up like a champion move
			this.committees.update(PIPELINE, Map.of(1, 0.5, 2, 0.0, 3, 0.5), "label join 2", "more labels",
					day.plusDays(1), day.plusDays(1));
			Map<Integer, Double> moved = this.committees.current(PIPELINE).orElseThrow().byVersion();
			assertThat(moved).isNotEqualTo(weights);
			assertThat(served.refresh()).isTrue();
			assertThat(served.version()).isEqualTo(3);
			assertThat(served.committee()).isEqualTo(moved);
			assertScores(served.score(rows), handVote(moved, rows), 3);

			// a rollback to v2, a member: v2 becomes the alias and stays in the
			// committee; v3, rolled back from, leaves; v1 and v2 keep their weights
			// normalised again
			long before = this.audit.query(PIPELINE, null, 1000).stream().mapToLong(AuditLog.Entry::id).max().orElse(0);
			this.operations.rollback(PIPELINE, 3, "alice", "v3 is worse in production");
			assertThat(champion()).isEqualTo(2);
			CommitteeRegistry.State rolled = this.committees.current(PIPELINE).orElseThrow();
			assertThat(rolled.weights().versions()).containsExactly(1, 2);
			double sum = moved.get(1) + moved.get(2);
			assertThat(rolled.byVersion().get(1)).isCloseTo(moved.get(1) / sum, within(1e-12));
			assertThat(rolled.byVersion().get(2)).isCloseTo(moved.get(2) / sum, within(1e-12));
			assertThat(this.audit.query(PIPELINE, null, 1000).stream().filter(e -> e.id() > before).toList())
				.extracting(AuditLog.Entry::action, AuditLog.Entry::target, AuditLog.Entry::actor)
				.containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("ROLLBACK", "v2", "alice"),
						org.assertj.core.groups.Tuple.tuple(CommitteeRegistry.AUDIT_RETIRE, "v3", "alice"));
			assertThat(served.refresh()).isTrue();
			assertThat(served.version()).isEqualTo(2);
			assertThat(served.committee()).isEqualTo(rolled.byVersion());
			assertScores(served.score(rows), handVote(rolled.byVersion(), rows), 2);

			// a store without the committee file (written before there was one): the
			// alias's version alone
			Files.delete(this.store.root().resolve(PIPELINE).resolve(ModelStore.ALIASES).resolve(ModelStore.COMMITTEE));
			assertThat(served.refresh()).isTrue();
			assertThat(served.version()).isEqualTo(2);
			assertThat(served.committee()).isEmpty();
			assertScores(served.score(rows), handVote(Map.of(2, 1.0), rows), 2);
		}
	}

}

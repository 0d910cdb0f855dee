package dev.retrain.models.committee;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.retrain.models.committee.CommitteeSpec.Weighting;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.features.Task;
import dev.retrain.models.metrics.Predictions;
import dev.retrain.models.serving.TinyVersions;
import dev.retrain.models.store.ModelArtifact;
import dev.retrain.models.store.ModelStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The committee's scores are the weighted vote of its members' scores: three versions
 * trained for real with DJL (two on one concept, one on the flipped concept), weighted by
 * Hedge after a labelled period, score a table; each row's committee score is the
 * weighted mean of the members' own scores of it.
 */
class CommitteeVoteTests {

	private Path dir;

	private ModelStore store;

	@BeforeEach
	void store() throws IOException {
		this.dir = Files.createTempDirectory("committee-store");
		this.store = new ModelStore(this.dir);
		TinyVersions.write(this.store, "tiny", 1, false);
		TinyVersions.write(this.store, "tiny", 2, true);
		TinyVersions.write(this.store, "tiny", 3, false);
	}

	@AfterEach
	void clean() {
		ModelStore.deleteTree(this.dir);
	}

	@Test
	void theCommitteesScoresAreTheWeightedVoteOfItsMembersScores() {
		try (ModelArtifact v1 = this.store.load("tiny", 1);
				ModelArtifact v2 = this.store.load("tiny", 2);
				ModelArtifact v3 = this.store.load("tiny", 3)) {
			List<ModelArtifact> members = List.of(v1, v2, v3);
			// a labelled period of the flipped concept: v2 is right, v1 and v3 wrong
			Table labelled = TinyVersions.rows(200, 41, true);
			double[] labels = v1.metadata().label().encode(labelled);
			CommitteeWeights c = CommitteeWeights.empty(new CommitteeSpec(3, Weighting.HEDGE, 2.0))
				.admit(1)
				.admit(2)
				.admit(3);
			Map<Integer, Double> losses = Map.of(1, CommitteeLoss.of(v1.predict(labelled), labels), 2,
					CommitteeLoss.of(v2.predict(labelled), labels), 3, CommitteeLoss.of(v3.predict(labelled), labels));
			assertThat(losses.get(2)).isLessThan(0.2);
			assertThat(losses.get(1)).isGreaterThan(0.8);
			c = c.update(losses);
			double[] w = c.weights();
			assertThat(w[1]).isGreaterThan(w[0]).isGreaterThan(0.5);

			Table table = TinyVersions.rows(100, 7, false);
			Predictions vote = CommitteeVote.predict(members, w, table);
			double[] p1 = v1.predict(table).scores();
			double[] p2 = v2.predict(table).scores();
			double[] p3 = v3.predict(table).scores();
			assertThat(vote.task()).isEqualTo(Task.BINARY_CLASSIFICATION);
			assertThat(vote.scores()).hasSize(100);
			for (int r = 0; r < 100; r++) {
				assertThat(vote.scores()[r]).isCloseTo(w[0] * p1[r] + w[1] * p2[r] + w[2] * p3[r], within(1e-12));
			}
			// the members disagree (one concept is flipped), so the vote is no member's
			assertThat(vote.scores()).isNotEqualTo(p1).isNotEqualTo(p2);
		}
	}

	@Test
	void aMulticlassVoteAveragesEachClasssProbability() {
		Predictions a = new Predictions(Task.MULTICLASS_CLASSIFICATION, 3, new double[] { 0.6, 0.3, 0.1 });
		Predictions b = new Predictions(Task.MULTICLASS_CLASSIFICATION, 3, new double[] { 0.0, 0.2, 0.8 });
		Predictions v = CommitteeVote.vote(List.of(a, b), new double[] { 0.25, 0.75 });
		assertThat(v.scores()).containsExactly(new double[] { 0.15, 0.225, 0.625 }, within(1e-12));
		assertThat(v.predictedClass(0)).isEqualTo(2);
	}

}

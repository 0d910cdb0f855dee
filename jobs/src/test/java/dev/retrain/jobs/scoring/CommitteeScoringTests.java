package dev.retrain.jobs.scoring;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.drift.DriftReport;
import dev.retrain.jobs.registry.CommitteeRegistry;
import dev.retrain.jobs.registry.RegistryOperations;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.PredictionsWriter;
import dev.retrain.models.dataset.Table;
import dev.retrain.models.store.ModelArtifact;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/**
 * Batch scoring and the label join with a committee champion: scoring the champion writes
 * the weighted vote of the committee's members (each member's own predictions beside it),
 * and the day's labels, once joined, move the weights by each member's 0/1 error there,
 * once per day, recorded in the committee's history; a drift check scores the window with
 * the committee's vote where it used the champion's predictions.
 */
class CommitteeScoringTests extends RetrainTestSupport {

	static final String PIPELINE = "voted-scoring";

	@Autowired
	ScoringLauncher scoring;

	@Autowired
	LabelJoins joins;

	@Autowired
	CommitteeRegistry committees;

	@Autowired
	RegistryOperations operations;

	@Autowired
	DriftChecker checker;

	@Autowired
	RealisedVersions realised;

	private static Table read(Path file) {
		return new ParquetTableReader(file.getParent()).read(
				List.of(new DataFile(file.getFileName().toString(), null, 0, 0, null)),
				List.of(new ColumnRequest(PredictionsWriter.KEY, ColumnRequest.Kind.STRING, true),
						new ColumnRequest(PredictionsWriter.VERSION, ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest(PredictionsWriter.SCORE, ColumnRequest.Kind.NUMERIC, true)));
	}

	@Test
	void theChampionsScoringIsTheCommitteesVoteAndTheLabelJoinMovesItsWeights() throws Exception {
		Path data = sampleData(DATA_DIR, PIPELINE, 150, 91);
		Path labels = DATA_DIR.resolve("labels-" + PIPELINE);
		definePipeline(PIPELINE, yaml(PIPELINE, PIPELINE, GOOD_MODEL, """
				scoring:
				  key: customer_id
				labels:
				  path: %s""".formatted(labels)).replace("  guards:\n",
				"  committee: {size: 2, weighting: hedge, eta: 3}\n  guards:\n"));
		RunRecord first = run(PIPELINE, LAST.minusDays(3), "first");
		assertThat(first.status()).as(first.failureReason()).isEqualTo("COMPLETED");
		RunRecord second = run(PIPELINE, LAST, "second");
		assertThat(second.status()).as(second.failureReason()).isEqualTo("COMPLETED");
		if (this.registry.champion(PIPELINE).orElseThrow() == 1) {
			this.operations.promote(PIPELINE, 2, 1, "alice", "a committee of two", true);
		}
		CommitteeRegistry.State before = this.committees.current(PIPELINE).orElseThrow();
		assertThat(before.weights().versions()).containsExactly(1, 2);
		Map<Integer, Double> weights = before.byVersion();

		LocalDate day = LAST.plusDays(1);
		ScoringFixtures.writeDay(data, day, 2, null, null);
		long id = this.scoring.launch(PIPELINE, day, null, null, "test").id();
		awaitJob(id);
		assertThat(this.scoring.find(id).status()).as(this.scoring.find(id).failure()).isEqualTo("COMPLETED");

		// the stored scores are the weighted vote of the members' own scores of the rows
		Path partition = DATA_DIR.resolve("predictions").resolve(PIPELINE).resolve(PartitionedDirectory.PREFIX + day);
		Table vote = read(partition.resolve(ScoreStep.FILE));
		Table members = read(partition.resolve(ScoreStep.MEMBERS_FILE));
		int n = vote.rows();
		assertThat(members.rows()).isEqualTo(2 * n);
		Table in = ScoringFixtures.last(data);
		try (ModelArtifact v1 = this.store.load(PIPELINE, 1); ModelArtifact v2 = this.store.load(PIPELINE, 2)) {
			double[] s1 = v1.predict(in).scores();
			double[] s2 = v2.predict(in).scores();
			for (int r = 0; r < n; r++) {
				int source = r % in.rows();
				assertThat(vote.numeric(PredictionsWriter.VERSION).values()[r]).isEqualTo(2);
				assertThat(vote.numeric(PredictionsWriter.SCORE).values()[r])
					.isCloseTo(weights.get(1) * s1[source] + weights.get(2) * s2[source], within(1e-6));
			}
			assertThat(vote.numeric(PredictionsWriter.SCORE).values()).isNotEqualTo(s2);
		}

		// the labels land (half of them flipped would be noise: here the true ones) and
		// are joined: each member's 0/1 error on the day moves the weights by Hedge
		ScoringFixtures.writeLabels(labels, data, day, 2, "id-", false);
		long join = this.joins.launch(PIPELINE, day, "test");
		awaitJob(join);
		assertThat(this.joins.status(join).status()).as(this.joins.status(join).failure()).isEqualTo("COMPLETED");
		Map<Integer, Double> losses = new LinkedHashMap<>();
		for (int v = 1; v <= 2; v++) {
			int wrong = 0;
			int rows = 0;
			for (int r = 0; r < members.rows(); r++) {
				if (members.numeric(PredictionsWriter.VERSION).values()[r] == v) {
					String key = members.strings(PredictionsWriter.KEY).values()[r];
					int source = Integer.parseInt(key.substring(3)) % in.rows();
					int predicted = (members.numeric(PredictionsWriter.SCORE).values()[r] >= 0.5) ? 1 : 0;
					wrong += (predicted != Integer.parseInt(in.strings("churned").values()[source])) ? 1 : 0;
					rows++;
				}
			}
			losses.put(v, (double) wrong / rows);
		}
		List<CommitteeRegistry.Update> history = this.committees.history(PIPELINE);
		CommitteeRegistry.Update update = history.get(history.size() - 1);
		assertThat(update.kind()).isEqualTo("LABELS");
		assertThat(update.labelsFrom()).isEqualTo(day);
		assertThat(update.source()).isEqualTo("label join " + join + " of " + day);
		assertThat(update.losses().get(1)).isCloseTo(losses.get(1), within(1e-12));
		assertThat(update.losses().get(2)).isCloseTo(losses.get(2), within(1e-12));
		// the weights moved by the very losses recorded as each member's realised loss
		List<RealisedVersions.Row> recorded = this.realised.between(PIPELINE, day, day);
		assertThat(recorded).extracting(RealisedVersions.Row::scoredAs, RealisedVersions.Row::version)
			.containsExactly(tuple(RealisedVersions.ScoredAs.SERVED, 2), tuple(RealisedVersions.ScoredAs.MEMBER, 1),
					tuple(RealisedVersions.ScoredAs.MEMBER, 2));
		assertThat(recorded.get(1).loss()).isEqualTo(update.losses().get(1));
		assertThat(recorded.get(2).loss()).isEqualTo(update.losses().get(2));
		assertThat(recorded.get(1).metrics().get("accuracy")).isCloseTo(1 - losses.get(1), within(1e-12));
		double w1 = weights.get(1) * Math.exp(-3 * losses.get(1));
		double w2 = weights.get(2) * Math.exp(-3 * losses.get(2));
		assertThat(this.committees.current(PIPELINE).orElseThrow().byVersion().get(1)).isCloseTo(w1 / (w1 + w2),
				within(1e-12));

		// the same day joined again does not weigh the members twice
		long again = this.joins.launch(PIPELINE, day, "test");
		awaitJob(again);
		assertThat(this.joins.status(again).status()).isEqualTo("COMPLETED");
		assertThat(this.committees.history(PIPELINE)).hasSize(history.size());

		// a drift check scores with the vote where it used the champion's predictions:
		// the model-output signal's mean confidence and the estimate's (CBPE) realised
		// accuracy of the window are the vote's, computed here from each member's own
		// scores, not v2's alone
		Map<Integer, Double> w = this.committees.current(PIPELINE).orElseThrow().byVersion();
		DriftReport report = this.checker.check(PIPELINE, LAST, "test");
		assertThat(report.championVersion()).isEqualTo(2);
		Table window = new ParquetTableReader(data).read(
				new PartitionedDirectory(data).resolve(report.currentFrom(), report.currentTo()),
				List.of(ColumnRequest.numeric("tenure_days"), ColumnRequest.numeric("monthly_spend"),
						ColumnRequest.numeric("sessions"), ColumnRequest.numeric("support_calls"),
						ColumnRequest.string("plan"), ColumnRequest.string("region"),
						new ColumnRequest("churned", ColumnRequest.Kind.STRING, true)));
		assertThat(window.rows()).isEqualTo(report.currentRows());
		double confidence = 0;
		double alone = 0;
		int right = 0;
		try (ModelArtifact v1 = this.store.load(PIPELINE, 1); ModelArtifact v2 = this.store.load(PIPELINE, 2)) {
			double[] s1 = v1.predict(window).scores();
			double[] s2 = v2.predict(window).scores();
			for (int r = 0; r < window.rows(); r++) {
				double p = w.get(1) * s1[r] + w.get(2) * s2[r];
				confidence += Math.max(p, 1 - p);
				alone += Math.max(s2[r], 1 - s2[r]);
				right += (((p >= 0.5) ? "1" : "0").equals(window.strings("churned").values()[r])) ? 1 : 0;
			}
		}
		confidence /= window.rows();
		alone /= window.rows();
		assertThat(report.prediction().meanConfidence()).isCloseTo(confidence, within(1e-9));
		assertThat(Math.abs(confidence - alone)).as("the vote is not v2 alone").isGreaterThan(1e-6);
		assertThat(report.estimate().realised()).isCloseTo((double) right / window.rows(), within(1e-12));
	}

}

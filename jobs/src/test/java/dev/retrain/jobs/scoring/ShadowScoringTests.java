package dev.retrain.jobs.scoring;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.registry.Decision;
import dev.retrain.jobs.registry.RegistryOperations;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.dataset.ColumnRequest;
import dev.retrain.models.dataset.DataFile;
import dev.retrain.models.dataset.ParquetTableReader;
import dev.retrain.models.dataset.PartitionedDirectory;
import dev.retrain.models.dataset.PredictionsWriter;
import dev.retrain.models.dataset.Table;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.WEAK_MODEL;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Shadow versions in production, the batch way (issue 27, part 5): the scoring of the
 * champion also scores the shadow named by an alias (its own predictions kept beside the
 * served ones), the label join records the realised metric of every scored version (equal
 * to a hand computation from the files), and the shadow becomes champion only after
 * winning {@code promotion.shadow.periods} labelled periods in a row against the
 * champion, each through the paired bootstrap of {@code promotion.test}: not after one
 * win, not after two wins with a loss between them.
 */
class ShadowScoringTests extends RetrainTestSupport {

	static final String PIPELINE = "shadowed";

	@Autowired
	ScoringLauncher scoring;

	@Autowired
	LabelJoins joins;

	@Autowired
	RealisedVersions realised;

	@Autowired
	RegistryOperations operations;

	@Autowired
	AuditLog audit;

	@Test
	void aShadowBecomesChampionOnlyAfterWinningTheNeededPeriodsInARow() throws Exception {
		Path data = sampleData(DATA_DIR, PIPELINE, 150, 77);
		Path labels = DATA_DIR.resolve("labels-" + PIPELINE);
		// v1, a model that barely trained, is champion; v2, a good one, is refused by its
		// run's policy (an improvement of 0.9 is asked) and becomes the shadow
		definePipeline(PIPELINE, yaml(PIPELINE, PIPELINE, WEAK_MODEL, ""));
		RunRecord weak = run(PIPELINE, LAST, "weak");
		assertThat(weak.status()).as(weak.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.registry.champion(PIPELINE)).contains(1);
		definePipeline(PIPELINE,
				yaml(PIPELINE, PIPELINE, GOOD_MODEL, "").replace("min-improvement: 0.0", "min-improvement: 0.9"));
		RunRecord strong = run(PIPELINE, LAST, "strong");
		assertThat(strong.status()).as(strong.failureReason()).isEqualTo("COMPLETED");
		assertThat(this.registry.version(PIPELINE, 2).orElseThrow().decision()).isEqualTo(Decision.REJECT);
		this.operations.setAlias(PIPELINE, "challenger", 2, null, "alice", "shadow the good one");
		String shadowed = shadowedPipeline(labels);
		definePipeline(PIPELINE, shadowed);

		// day 1 won, day 2 lost (its labels flipped), day 3 won: never two in a row
		Day first = scoreAndJoin(data, labels, LAST.plusDays(1), false);
		assertThat(first.shadow().won()).as(first.shadow().verdict()).isTrue();
		assertThat(first.shadow().verdict()).contains("paired bootstrap, 300 resamples");
		assertThat(this.registry.champion(PIPELINE)).as("one win of two").contains(1);
		assertThat(this.joins.status(first.join()).status()).isEqualTo("COMPLETED");

		Day second = scoreAndJoin(data, labels, LAST.plusDays(2), true);
		assertThat(second.shadow().won()).as(second.shadow().verdict()).isFalse();
		assertThat(this.registry.champion(PIPELINE)).contains(1);

		Day third = scoreAndJoin(data, labels, LAST.plusDays(3), false);
		assertThat(third.shadow().won()).as(third.shadow().verdict()).isTrue();
		assertThat(this.registry.champion(PIPELINE)).as("two wins, not in a row").contains(1);
		assertThat(this.audit.query(PIPELINE, "SHADOW_PROMOTE", 10)).isEmpty();

		// day 4: the second win in a row against v1; while the pipeline wants a person's
		// approval the lifecycle refuses the move, and the join still records the day
		definePipeline(PIPELINE,
				shadowed.replace("  shadow: {periods: 2}\n", "  shadow: {periods: 2}\n  approval: required\n"));
		Day refused = scoreAndJoin(data, labels, LAST.plusDays(4), false);
		assertThat(refused.shadow().won()).as(refused.shadow().verdict()).isTrue();
		assertThat(this.registry.champion(PIPELINE)).as("approval required").contains(1);
		assertThat(this.audit.query(PIPELINE, "SHADOW_PROMOTE", 10)).isEmpty();

		// without it, the day joined again (more labels landed) makes the shadow champion
		definePipeline(PIPELINE, shadowed);
		long again = this.joins.launch(PIPELINE, LAST.plusDays(4), "test");
		awaitJob(again);
		assertThat(this.joins.status(again).status()).as(this.joins.status(again).failure()).isEqualTo("COMPLETED");
		Day fourth = new Day(again, null, null);
		assertThat(this.registry.champion(PIPELINE)).contains(2);
		assertThat(this.registry.history(PIPELINE))
			.filteredOn(move -> "champion".equals(move.alias()) && Integer.valueOf(2).equals(move.toVersion()))
			.singleElement()
			.satisfies(move -> assertThat(move.reason()).startsWith("shadow promotion: v2 beat champion v1"));
		assertThat(this.audit.query(PIPELINE, "SHADOW_PROMOTE", 10)).singleElement().satisfies(e -> {
			assertThat(e.actor()).isEqualTo("label join " + fourth.join());
			assertThat(e.target()).isEqualTo("v2");
			assertThat(e.details()).contains("champion v1 -> v2")
				.contains("shadow promotion")
				.contains("newest 2 periods")
				.contains(LAST.plusDays(3).toString())
				.contains(LAST.plusDays(4).toString());
		});

		// the next day's scoring serves v2, which the alias names: not scored twice; an
		// alias pointing nowhere is left out without failing the scoring; v1, named by
		// number, is now the shadow
		definePipeline(PIPELINE, shadowed.replace("shadow: [challenger]", "shadow: [challenger, ghost, v1]"));
		LocalDate fifth = LAST.plusDays(5);
		ScoringFixtures.writeDay(data, fifth, 1, null, null);
		long id = this.scoring.launch(PIPELINE, fifth, null, null, "test").id();
		awaitJob(id);
		assertThat(this.scoring.find(id).status()).as(this.scoring.find(id).failure()).isEqualTo("COMPLETED");
		assertThat(this.scoring.find(id).version()).isEqualTo(2);
		Path partition = DATA_DIR.resolve("predictions").resolve(PIPELINE).resolve(PartitionedDirectory.PREFIX + fifth);
		assertThat(partition.resolve(ScoreStep.FILE)).exists();
		assertThat(partition.resolve(ScoreStep.shadowFile(2))).doesNotExist();
		assertThat(read(partition.resolve(ScoreStep.shadowFile(1))).numeric(PredictionsWriter.VERSION).values())
			.containsOnly(1.0);
	}

	/**
	 * The pipeline with the good model, scored with the shadow {@code challenger},
	 * promoted after 2 won periods through the paired bootstrap.
	 */
	private static String shadowedPipeline(Path labels) {
		return yaml(PIPELINE, PIPELINE, GOOD_MODEL, """
				scoring:
				  key: customer_id
				  shadow: [challenger]
				labels:
				  path: %s""".formatted(labels)).replace("  guards:\n",
				"  shadow: {periods: 2}\n  test: {method: paired-bootstrap, resamples: 300}\n  guards:\n");
	}

	/** A day's served and shadow realised rows, and its label join. */
	record Day(long join, RealisedVersions.Row served, RealisedVersions.Row shadow) {
	}

	/**
	 * Scores {@code day} with the champion (and its shadow), lands its labels (flipped
	 * when asked), joins them, and checks the realised rows against a hand computation
	 * from the written predictions and labels.
	 */
	private Day scoreAndJoin(Path data, Path labels, LocalDate day, boolean flipped) throws Exception {
		ScoringFixtures.writeDay(data, day, 2, null, null);
		long id = this.scoring.launch(PIPELINE, day, null, null, "test").id();
		awaitJob(id);
		assertThat(this.scoring.find(id).status()).as(this.scoring.find(id).failure()).isEqualTo("COMPLETED");
		Path partition = DATA_DIR.resolve("predictions").resolve(PIPELINE).resolve(PartitionedDirectory.PREFIX + day);
		Table served = read(partition.resolve(ScoreStep.FILE));
		Table shadow = read(partition.resolve(ScoreStep.shadowFile(2)));
		assertThat(served.numeric(PredictionsWriter.VERSION).values()).containsOnly(1.0);
		assertThat(shadow.numeric(PredictionsWriter.VERSION).values()).containsOnly(2.0);
		assertThat(shadow.strings(PredictionsWriter.KEY).values())
			.containsExactly(served.strings(PredictionsWriter.KEY).values());

		ScoringFixtures.writeLabels(labels, data, day, 2, "id-", flipped);
		long join = this.joins.launch(PIPELINE, day, "test");
		awaitJob(join);
		assertThat(this.joins.status(join).status()).as(this.joins.status(join).failure()).isEqualTo("COMPLETED");
		List<RealisedVersions.Row> rows = this.realised.between(PIPELINE, day, day);
		assertThat(rows).extracting(RealisedVersions.Row::scoredAs)
			.containsExactly(RealisedVersions.ScoredAs.SERVED, RealisedVersions.ScoredAs.SHADOW);
		RealisedVersions.Row s = rows.get(0);
		RealisedVersions.Row h = rows.get(1);
		Map<String, Integer> truth = truth(data, flipped);
		Hand byHandServed = hand(served, truth);
		Hand byHandShadow = hand(shadow, truth);
		for (Object[] pair : new Object[][] { { s, byHandServed, 1 }, { h, byHandShadow, 2 } }) {
			RealisedVersions.Row row = (RealisedVersions.Row) pair[0];
			Hand hand = (Hand) pair[1];
			assertThat(row.version()).isEqualTo(pair[2]);
			assertThat(row.metric()).isEqualTo("roc_auc");
			assertThat(row.labelledRows()).isEqualTo(hand.rows());
			assertThat(row.value()).isCloseTo(hand.auc(), within(1e-9));
			assertThat(row.metrics().get("accuracy")).isCloseTo(hand.accuracy(), within(1e-12));
			assertThat(row.loss()).isCloseTo(1 - hand.accuracy(), within(1e-12));
		}
		assertThat(h.againstVersion()).isEqualTo(1);
		assertThat(h.difference()).isCloseTo(byHandShadow.auc() - byHandServed.auc(), within(1e-9));
		return new Day(join, s, h);
	}

	private static Table read(Path file) {
		return new ParquetTableReader(file.getParent()).read(
				List.of(new DataFile(file.getFileName().toString(), null, 0, 0, null)),
				List.of(new ColumnRequest(PredictionsWriter.KEY, ColumnRequest.Kind.STRING, true),
						new ColumnRequest(PredictionsWriter.VERSION, ColumnRequest.Kind.NUMERIC, true),
						new ColumnRequest(PredictionsWriter.SCORE, ColumnRequest.Kind.NUMERIC, true)));
	}

	/** The label of each key of a day written by {@link ScoringFixtures#writeDay}. */
	private static Map<String, Integer> truth(Path data, boolean flipped) {
		Table last = ScoringFixtures.last(data);
		Map<String, Integer> out = new HashMap<>();
		for (int i = 0; i < last.rows() * 2; i++) {
			int y = Integer.parseInt(last.strings("churned").values()[i % last.rows()]);
			out.put("id-" + i, flipped ? 1 - y : y);
		}
		return out;
	}

	/** A version's metrics computed here from its predictions and the labels. */
	record Hand(int rows, double auc, double accuracy) {
	}

	/**
	 * roc_auc as the share of (positive, negative) pairs the score orders right (ties
	 * count half), and accuracy at 0.5.
	 */
	private static Hand hand(Table predictions, Map<String, Integer> truth) {
		String[] keys = predictions.strings(PredictionsWriter.KEY).values();
		double[] scores = predictions.numeric(PredictionsWriter.SCORE).values();
		int n = keys.length;
		int right = 0;
		double pairs = 0;
		double ordered = 0;
		for (int i = 0; i < n; i++) {
			int y = truth.get(keys[i]);
			right += (((scores[i] >= 0.5) ? 1 : 0) == y) ? 1 : 0;
			if (y != 1) {
				continue;
			}
			for (int j = 0; j < n; j++) {
				if (truth.get(keys[j]) == 0) {
					pairs++;
					ordered += (scores[i] > scores[j]) ? 1 : (scores[i] == scores[j]) ? 0.5 : 0;
				}
			}
		}
		return new Hand(n, ordered / pairs, (double) right / n);
	}

}

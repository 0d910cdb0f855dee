package dev.retrain.jobs.backtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.retrain.jobs.PipelineFixtures;
import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.backtest.BacktestPlan.Span;
import dev.retrain.jobs.backtest.BacktestReport.ChampionChange;
import dev.retrain.jobs.backtest.BacktestReport.CommitteeUpdate;
import dev.retrain.jobs.backtest.BacktestReport.Period;
import dev.retrain.jobs.backtest.BacktestReport.PolicyResult;
import dev.retrain.jobs.backtest.PeriodScorer.Scores;
import dev.retrain.models.generator.SampleDataGenerator;
import dev.retrain.models.generator.SampleDataSpec;
import dev.retrain.models.store.ModelStore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A backtest with a committee champion: each period is scored by the weighted vote of the
 * last K promoted versions, and after each period's labels arrive (one period late here)
 * the weights follow Hedge on the members' 0/1 errors, with no retraining. Everything is
 * checked against the versions the replay left in its sandbox's store: the members' own
 * scores of each period, their losses, and each step of the weights.
 */
class BacktestCommitteeTests extends RetrainTestSupport {

	private static final double ETA = 5.0;

	private static final int SIZE = 3;

	@Test
	void eachPeriodIsTheWeightedVoteOfTheLastPromotedVersionsAndTheWeightsFollowHedgeOnLabelsAsTheyArrive()
			throws Exception {
		LocalDate start = BacktestTests.START;
		new SampleDataGenerator().write(DATA_DIR.resolve("history"),
				SampleDataSpec.stable(start, 100, 120, 107).withConceptDrift(start.plusDays(60)));
		// promotion by tolerance: the fresher model wins unless clearly worse, so members
		// come in often
		String yaml = PipelineFixtures.yaml("history", "history", PipelineFixtures.GOOD_MODEL, "")
			.replace("  min-improvement: 0.0\n", "  tolerance: 0.2\n");
		PolicyFile file = PolicyFile.parse("""
				period-days: 10
				warmup-days: 40
				label-delay-periods: 1
				policies:
				  - name: daily
				    type: schedule
				    cron: "0 0 0 * * ?"
				    committee: {size: %d, weighting: hedge, eta: %s}
				""".formatted(SIZE, ETA));
		Path out = Files.createTempDirectory("backtest-committee");

		BacktestReport report = new Backtester().run(file.request(yaml, DATA_DIR, out.resolve("sandboxes")), l -> {
		});

		PolicyResult once = report.policies().get(0);
		assertThat(once.name()).isEqualTo("train-once.delay-0");
		assertThat(once.timeline()).allSatisfy(t -> assertThat(t.committee()).isNull());
		for (PolicyResult p : report.policies().subList(2, 4)) {
			int delay = p.labelDelayPeriods();
			assertThat(p.name()).isEqualTo("daily.delay-" + delay);
			assertThat(p.description()).contains("committee (in place of the pipeline's)");
			assertThat(p.promotions()).isGreaterThanOrEqualTo(SIZE);
			try (PeriodScorer scorer = new PeriodScorer(new ModelStore(storeOf(out.resolve("sandboxes"), p.name())),
					"history", DATA_DIR.resolve("history"))) {
				Map<Integer, Double> expected = null;
				for (int i = 0; i < p.timeline().size(); i++) {
					Period t = p.timeline().get(i);
					Map<Integer, Double> weights = t.committee();
					// the members are the last K versions that became champion by then
					assertThat(new ArrayList<>(weights.keySet())).as(p.name() + " period " + i)
						.isEqualTo(lastPromoted(p.champions(), t.start()));
					assertThat(weights.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0,
							within(1e-12));
					if (expected != null) {
						assertThat(weights.keySet()).isEqualTo(expected.keySet());
						for (Map.Entry<Integer, Double> e : expected.entrySet()) {
							assertThat(weights.get(e.getKey())).as(p.name() + " period " + i + " v" + e.getKey())
								.isCloseTo(e.getValue(), within(1e-12));
						}
					}
					// the period's predictions are the weighted vote of the members' own
					// scores
					Span span = new Span(t.start(), t.end());
					// (no derived features here: the labels cut-off changes nothing)
					Map<Integer, Scores> each = scorer.scoreAll(span, new ArrayList<>(weights.keySet()), t.start());
					for (int r = 0; r < t.rows(); r++) {
						double vote = 0;
						for (Map.Entry<Integer, Double> w : weights.entrySet()) {
							vote += w.getValue() * each.get(w.getKey()).scores()[r];
						}
						assertThat(t.predictions()[r]).isCloseTo(vote, within(1e-12));
					}
					// at the period's end the labels of the period `delay` before arrive
					// (none yet in the first `delay` periods): each member's loss is its
					// 0/1
					// error there, and the weights move by Hedge
					Map<Integer, Double> next = new LinkedHashMap<>(weights);
					if (i < delay) {
						assertThat(t.committeeUpdates()).isEmpty();
					}
					else {
						assertThat(t.committeeUpdates()).hasSize(1);
						CommitteeUpdate u = t.committeeUpdates().get(0);
						Period labelled = p.timeline().get(i - delay);
						assertThat(u.labelledEnd()).isEqualTo(labelled.end());
						assertThat(u.losses().keySet()).isEqualTo(weights.keySet());
						Map<Integer, Scores> then = scorer.scoreAll(new Span(labelled.start(), labelled.end()),
								new ArrayList<>(weights.keySet()), labelled.start());
						double sum = 0;
						for (Map.Entry<Integer, Double> w : weights.entrySet()) {
							Scores s = then.get(w.getKey());
							int wrong = 0;
							for (int r = 0; r < s.rows(); r++) {
								wrong += ((s.scores()[r] >= 0.5 ? 1 : 0) != (int) s.labels()[r]) ? 1 : 0;
							}
							double loss = (double) wrong / s.rows();
							assertThat(u.losses().get(w.getKey())).isCloseTo(loss, within(1e-12));
							next.put(w.getKey(), w.getValue() * Math.exp(-ETA * loss));
							sum += next.get(w.getKey());
						}
						for (Map.Entry<Integer, Double> e : next.entrySet()) {
							e.setValue(e.getValue() / sum);
						}
						assertThat(u.weights().keySet()).isEqualTo(next.keySet());
						next.forEach((v, w) -> assertThat(u.weights().get(v)).isCloseTo(w, within(1e-12)));
					}
					// a promoted candidate enters with the mean weight; the oldest leaves
					// past K
					if (t.promoted()) {
						int entered = p.champions()
							.stream()
							.filter(c -> c.asOf().equals(t.end()))
							.findFirst()
							.orElseThrow()
							.version();
						double mean = next.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
						next.put(entered, mean);
						normalise(next);
						if (next.size() > SIZE) {
							next.remove(next.keySet().iterator().next());
							normalise(next);
						}
					}
					expected = next;
				}
			}
		}
		// the committee did something: at some period the members' weights differ
		assertThat(report.policies().get(2).timeline())
			.anySatisfy(t -> assertThat(t.committee().values().stream().distinct().count()).isGreaterThan(1));
	}

	private static void normalise(Map<Integer, Double> w) {
		double sum = w.values().stream().mapToDouble(Double::doubleValue).sum();
		w.replaceAll((v, x) -> x / sum);
	}

	/** The last K versions that became champion before {@code day}, oldest first. */
	private static List<Integer> lastPromoted(List<ChampionChange> champions, LocalDate day) {
		List<Integer> before = champions.stream()
			.filter(c -> c.asOf().isBefore(day))
			.map(ChampionChange::version)
			.toList();
		return before.subList(Math.max(0, before.size() - SIZE), before.size());
	}

	/** The model store a policy's sandbox left under the work directory. */
	private static Path storeOf(Path work, String policy) throws Exception {
		try (Stream<Path> dirs = Files.list(work)) {
			List<Path> found = dirs.filter(d -> d.getFileName().toString().startsWith(policy + "-")).toList();
			assertThat(found).as("the sandbox of " + policy).hasSize(1);
			return found.get(0).resolve("models");
		}
	}

}

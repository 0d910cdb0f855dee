package dev.retrain.jobs.retrain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import dev.retrain.jobs.JobsTestApplication.Hold;
import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.runs.RunRecord;
import dev.retrain.models.json.Json;
import dev.retrain.models.search.SearchResult;
import dev.retrain.models.store.ArtifactMetadata;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A retrain with a {@code search:} trains every candidate on its window less the newest
 * days, scores each there, trains the winner on its whole window, and records them all;
 * the same seed chooses the same winner; the champion fine-tuned is one more candidate
 * once there is a champion.
 */
class CandidateSearchTests extends RetrainTestSupport {

	@Autowired
	JobRepository repository;

	static final String SEARCH = """
			search:
			  selection-days: 3
			  windows-days: [9, 20]
			  learning-rate: [0.01, 0.05]
			  fine-tune: true
			  max-candidates: 5""";

	@Test
	void everyCandidateIsScoredOnTheNewestDaysAndTheBestOneTrainedOnItsWholeWindowIsRecorded() {
		sampleData(DATA_DIR, "searched", 150, 5);
		definePipeline("searched", yaml("searched", "searched", GOOD_MODEL, SEARCH));

		RunRecord first = run("searched", LAST, "first");
		assertThat(first.status()).as(first.failureReason()).isEqualTo("COMPLETED");
		SearchResult search = Json.MAPPER.convertValue(details(first).get("search"), SearchResult.class);

		assertThat(search.metric()).isEqualTo("roc_auc");
		assertThat(search.candidates()).hasSize(5);
		// about 150 rows a day
		assertThat(search.selectionRows()).isBetween(3 * 100L, 3 * 200L);
		List<SearchResult.Tried> scratch = search.candidates().subList(0, 4);
		assertThat(scratch).allSatisfy(t -> {
			assertThat(t.failed()).isNull();
			assertThat(t.score()).isBetween(0.0, 1.0);
		});
		// windows of 9 and 20 days, less the out-of-time holdout's 4 and the selection's
		// 3: 2 and 13 days of the same data
		assertThat(scratch.get(0).trainRows()).isEqualTo(scratch.get(1).trainRows()).isPositive();
		assertThat(scratch.get(2).trainRows()).isEqualTo(scratch.get(3).trainRows());
		assertThat((double) scratch.get(2).trainRows() / scratch.get(0).trainRows()).isBetween(4.0, 9.0);
		// no champion yet: the fine-tuning candidate is recorded as not tried, and why
		assertThat(search.candidates().get(4).settings().fineTune()).isTrue();
		assertThat(search.candidates().get(4).failed()).contains("no champion yet");
		SearchResult.Tried best = scratch.stream()
			.max(java.util.Comparator.comparingDouble(SearchResult.Tried::score))
			.orElseThrow();
		assertThat(search.winner()).isEqualTo(best.settings().index());

		// the winner trained again on its whole window, the selection days included
		long windowRows = best.trainRows() + search.selectionRows();
		assertThat(details(first).at("/trainingData/rows").asLong()).isEqualTo(windowRows);
		ArtifactMetadata meta = this.store.metadata("searched", first.candidateVersion());
		assertThat(meta.search()).isEqualTo(search);
		assertThat(meta.modeReason()).startsWith("search: candidate " + (search.winner() + 1) + " of 5 won");
		assertThat(meta.hyperparameters().learningRate()).isEqualTo(best.settings().learningRate());
		assertThat((long) meta.training().trainRows()).isLessThanOrEqualTo(windowRows);

		// the same data and seed, another run: the same scores and the same winner; and
		// with a champion now, the fine-tuning candidate is trained and scored too
		RunRecord second = run("searched", LAST, "second");
		assertThat(second.status()).as(second.failureReason()).isEqualTo("COMPLETED");
		SearchResult again = Json.MAPPER.convertValue(details(second).get("search"), SearchResult.class);
		assertThat(again.candidates().subList(0, 4)).extracting(SearchResult.Tried::score)
			.containsExactlyElementsOf(scratch.stream().map(SearchResult.Tried::score).toList());
		SearchResult.Tried fineTuned = again.candidates().get(4);
		assertThat(fineTuned.failed()).isNull();
		assertThat(fineTuned.score()).isBetween(0.0, 1.0);
		assertThat(again.winner()).isIn(search.winner(), 4);
	}

	/** Three candidates, trained {@code threads} at a time. */
	static String threeCandidates(int threads) {
		return """
				search:
				  selection-days: 3
				  windows-days: [9, 14, 20]
				  learning-rate: [0.05]
				  threads: %d""".formatted(threads);
	}

	/**
	 * Every partition of the run's search step, by name, as the job repository has it.
	 */
	private List<StepExecution> partitions(long jobInstanceId) {
		List<StepExecution> all = new ArrayList<>();
		JobInstance instance = this.repository.getJobInstance(jobInstanceId);
		for (JobExecution execution : this.repository.getJobExecutions(instance)) {
			for (StepExecution step : this.repository.getJobExecution(execution.getId()).getStepExecutions()) {
				if (step.getStepName().startsWith(RetrainJobConfiguration.SEARCH_CANDIDATE + ":")) {
					all.add(step);
				}
			}
		}
		return all;
	}

	@Test
	void candidatesArePartitionsOfTheSearchStepAndTrainSideBySideOnLocalThreads() throws Exception {
		sampleData(DATA_DIR, "threads", 150, 7);
		definePipeline("threads", yaml("threads", "threads", GOOD_MODEL, threeCandidates(2)));
		// the first candidate to finish an epoch waits there: with two threads another
		// candidate goes on meanwhile, and ends
		Hold hold = this.failures.holdAfter(1);
		long runId = launch("threads", LAST, "threads", null).runId();
		assertThat(hold.reached().await(2, TimeUnit.MINUTES)).isTrue();
		long instance = this.repository.getJobExecution(runId).getJobInstanceId();
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> partitions(instance).stream().anyMatch(p -> p.getStatus() == BatchStatus.COMPLETED));
		hold.release();
		RunRecord run = awaitEnd(runId);

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		assertThat(partitions(instance)).extracting(StepExecution::getStepName)
			.containsExactlyInAnyOrder("search-candidate:c0", "search-candidate:c1", "search-candidate:c2");
		SearchResult search = Json.MAPPER.convertValue(details(run).get("search"), SearchResult.class);
		assertThat(search.candidates()).extracting(t -> t.settings().windowDays()).containsExactly(9, 14, 20);
		assertThat(search.candidates()).allSatisfy(t -> assertThat(t.score()).isBetween(0.0, 1.0));
	}

	@Test
	void aRestartTrainsAgainOnlyTheCandidatesThatDidNotComplete() {
		sampleData(DATA_DIR, "restarted", 150, 8);
		definePipeline("restarted", yaml("restarted", "restarted", GOOD_MODEL, threeCandidates(1)));
		// one at a time, in order: the first candidate fails after its second epoch, the
		// other two complete
		this.failures.arm(2);
		RunRecord failed = run("restarted", LAST, "restarted");
		assertThat(failed.status()).isEqualTo("FAILED");
		assertThat(failed.failureReason()).contains("search-candidate:c0").contains("injected failure after epoch 2");

		RunRecord restarted = awaitEnd(this.launcher.restart(failed.runId()).runId());

		assertThat(restarted.status()).as(restarted.failureReason()).isEqualTo("COMPLETED");
		long instance = this.repository.getJobExecution(failed.runId()).getJobInstanceId();
		Map<String, Long> executions = partitions(instance).stream()
			.collect(Collectors.groupingBy(StepExecution::getStepName, Collectors.counting()));
		assertThat(executions).containsExactlyInAnyOrderEntriesOf(
				Map.of("search-candidate:c0", 2L, "search-candidate:c1", 1L, "search-candidate:c2", 1L));
		SearchResult search = Json.MAPPER.convertValue(details(restarted).get("search"), SearchResult.class);
		assertThat(search.candidates()).hasSize(3).allSatisfy(t -> assertThat(t.failed()).isNull());
	}

	private JsonNode details(RunRecord run) {
		return Json.MAPPER.readTree(this.runs.find(run.runId()).orElseThrow().details());
	}

	@Test
	void dataTooShortToHoldOutTheSelectionDaysTrainsTheModelsOwnSettingsAndSaysWhy() {
		sampleData(DATA_DIR, "young", 150, 6);
		definePipeline("young", yaml("young", "young", GOOD_MODEL, SEARCH));

		// 20 days of data end at LAST: as of 14 days earlier there are 6, the newest 4
		// of them the out-of-time holdout's, and 2 days of training data cannot spare 3
		RunRecord run = run("young", LAST.minusDays(14), "young");

		assertThat(run.status()).as(run.failureReason()).isEqualTo("COMPLETED");
		SearchResult search = Json.MAPPER.convertValue(details(run).get("search"), SearchResult.class);
		assertThat(search.candidates()).isEmpty();
		assertThat(search.notSearched()).startsWith("the training data spans 2 days")
			.contains("the model's own settings trained");
		ArtifactMetadata meta = this.store.metadata("young", run.candidateVersion());
		assertThat(meta.modeReason()).doesNotContain("search");
		assertThat(meta.hyperparameters().learningRate()).isEqualTo(0.01);
	}

}

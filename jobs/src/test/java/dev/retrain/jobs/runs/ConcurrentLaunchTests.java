package dev.retrain.jobs.runs;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.retrain.jobs.RetrainTestSupport;
import dev.retrain.jobs.scoring.LabelJoins;

import static dev.retrain.jobs.PipelineFixtures.GOOD_MODEL;
import static dev.retrain.jobs.PipelineFixtures.LAST;
import static dev.retrain.jobs.PipelineFixtures.sampleData;
import static dev.retrain.jobs.PipelineFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Identical launches at the same moment, as a retrying client or two nodes would send
 * them: every launcher of a Spring Batch job takes one and refuses the others with a
 * rejection the API answers as 409, never with an exception it would answer as 500.
 */
class ConcurrentLaunchTests extends RetrainTestSupport {

	@Autowired
	LabelJoins joins;

	/** Sends {@code launch} from six threads released together; the outcomes in order. */
	private static List<Object> atOnce(Callable<Object> launch) throws InterruptedException {
		ExecutorService pool = Executors.newFixedThreadPool(6);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Object>> sent = new ArrayList<>();
		try {
			for (int i = 0; i < 6; i++) {
				sent.add(pool.submit(() -> {
					go.await();
					return launch.call();
				}));
			}
			go.countDown();
			List<Object> outcomes = new ArrayList<>();
			for (Future<Object> f : sent) {
				try {
					outcomes.add(f.get());
				}
				catch (ExecutionException ex) {
					outcomes.add(ex.getCause());
				}
			}
			return outcomes;
		}
		finally {
			pool.shutdownNow();
		}
	}

	@Test
	void identicalRunsAndLabelJoinsAtOnceTakeOneAndRefuseTheOthers() throws Exception {
		sampleData(DATA_DIR, "raced", 150, 91);
		definePipeline("raced", yaml("raced", "raced", GOOD_MODEL, """
				scoring:
				  key: customer_id
				labels:
				  path: %s""".formatted(DATA_DIR.resolve("labels-raced"))));

		List<Object> runs = atOnce(() -> launch("raced", LAST, "race", null));
		assertThat(runs).filteredOn(LaunchedRun.class::isInstance).hasSize(1);
		assertThat(runs).filteredOn(o -> !(o instanceof LaunchedRun))
			.hasSize(5)
			.allSatisfy(o -> assertThat(o).isInstanceOfAny(RunAlreadyActive.class, RunRejected.class));
		LaunchedRun taken = (LaunchedRun) runs.stream().filter(LaunchedRun.class::isInstance).findFirst().orElseThrow();
		assertThat(awaitEnd(taken.runId()).status()).isEqualTo("COMPLETED");

		// label joins of one day: none of the six may fail otherwise than as a rejection
		LocalDate day = LAST;
		List<Object> joined = atOnce(() -> this.joins.launch("raced", day, "test"));
		assertThat(joined).filteredOn(Long.class::isInstance).isNotEmpty();
		assertThat(joined).filteredOn(o -> !(o instanceof Long))
			.allSatisfy(o -> assertThat(o).isInstanceOf(RunRejected.class)
				.extracting(e -> ((RunRejected) e).getMessage())
				.asString()
				.contains("label join of 'raced' for " + day)
				.doesNotContain("JobExecution", "parameters="));
	}

}

package dev.retrain.jobs.retrain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobInterruptedException;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.partition.StepExecutionSplitter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;

import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineDefinition;

/**
 * How the {@code search} step's partitions (one per candidate, {@link CandidateStep})
 * run: here, on {@code search.threads} threads of this node ({@link #local}), or each on
 * a worker ({@code WorkerRequests#partitions}). Either way each partition is stamped with
 * the time the search began, for its time budget, before it starts; on a restart only the
 * partitions that did not complete run again (Spring Batch's splitter).
 */
final class SearchPartitions {

	private SearchPartitions() {
	}

	/** The partitions of this execution of the search step, stamped and saved. */
	static List<StepExecution> split(StepExecutionSplitter splitter, StepExecution manager, JobRepository repository)
			throws Exception {
		Set<StepExecution> split = splitter.split(manager, 1);
		long started = System.currentTimeMillis();
		List<StepExecution> partitions = new ArrayList<>(split);
		partitions
			.sort(Comparator.comparing((StepExecution p) -> p.getExecutionContext().getInt(CandidateStep.CANDIDATE)));
		for (StepExecution partition : partitions) {
			partition.getExecutionContext().putLong(CandidateStep.STARTED, started);
			repository.updateExecutionContext(partition);
		}
		return partitions;
	}

	/** Runs the partitions on this node, {@code search.threads} at a time. */
	static PartitionHandler local(Step candidate, PipelineCatalog catalog, JobRepository repository) {
		return (splitter, manager) -> {
			List<StepExecution> partitions = split(splitter, manager, repository);
			if (partitions.isEmpty()) {
				return partitions;
			}
			PipelineDefinition def = PinnedPipeline.of(manager.getJobExecution(), catalog);
			int threads = Math.min(partitions.size(), def.search().localThreads());
			ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
				Thread t = new Thread(r, "search-" + manager.getJobExecutionId() + "-" + r.hashCode());
				t.setDaemon(true);
				return t;
			});
			try {
				List<Future<StepExecution>> running = new ArrayList<>();
				for (StepExecution partition : partitions) {
					running.add(pool.submit(() -> run(candidate, partition, repository)));
				}
				Collection<StepExecution> ended = new ArrayList<>();
				for (Future<StepExecution> f : running) {
					ended.add(f.get());
				}
				return ended;
			}
			finally {
				pool.shutdownNow();
			}
		};
	}

	private static StepExecution run(Step candidate, StepExecution partition, JobRepository repository) {
		try {
			candidate.execute(partition);
		}
		catch (JobInterruptedException ex) {
			partition.setStatus(BatchStatus.STOPPED);
			repository.update(partition);
		}
		catch (Throwable ex) {
			partition.addFailureException(ex);
			partition.setStatus(BatchStatus.FAILED);
			partition.setExitStatus(ExitStatus.FAILED.addExitDescription(ex));
			repository.update(partition);
		}
		return partition;
	}

}

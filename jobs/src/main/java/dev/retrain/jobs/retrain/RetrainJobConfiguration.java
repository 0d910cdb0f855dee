package dev.retrain.jobs.retrain;

import java.time.Clock;
import java.util.function.LongPredicate;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.flow.FlowExecutionStatus;
import org.springframework.batch.core.job.flow.JobExecutionDecider;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.runs.NodeShutdown;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.StepClaims;
import dev.retrain.jobs.workers.WorkerRequests;
import dev.retrain.models.store.ModelStore;
import dev.retrain.models.training.EpochListener;
import dev.retrain.models.training.ModelTrainer;

/**
 * The retrain job: snapshot, validate, search, train, evaluate, decide, register. The
 * search step is partitioned, one partition per candidate of the pipeline's
 * {@code search:} (none without one), on local threads or on workers. Identifying
 * parameters are pipeline, as-of date and run key, so a failed run is restarted by
 * launching it again (completed steps are skipped, training resumes from its checkpoint),
 * and a new run key re-runs a date on purpose.
 */
@Configuration(proxyBeanMethods = false)
public class RetrainJobConfiguration {

	public static final String JOB_NAME = "retrain";

	private static final StepFailpoints FAILPOINTS = new StepFailpoints();

	private static final RunMdc MDC = new RunMdc();

	/** The step a worker runs for {@code train} when workers are enabled. */
	public static final String TRAIN_ON_WORKER = "train-on-worker";

	/**
	 * A search's candidate: the step each partition of {@code search} runs, here or on a
	 * worker.
	 */
	public static final String SEARCH_CANDIDATE = "search-candidate";

	/** The step a worker runs for {@code evaluate} when workers are enabled. */
	public static final String EVALUATE_ON_WORKER = "evaluate-on-worker";

	/**
	 * The job. With {@code retrain.workers.enabled}, train and evaluate are Spring Batch
	 * remote steps: this node sends them to a worker ({@link WorkerRequests}) and the
	 * worker runs {@value #TRAIN_ON_WORKER} and {@value #EVALUATE_ON_WORKER}.
	 */
	@Bean
	Job retrainJob(JobRepository repository, RunLifecycleListener listener, Step snapshotStep, Step validateStep,
			Step searchStep, Step trainStep, Step evaluateStep, Step decideStep, Step registerStep,
			ObjectProvider<WorkerRequests> workers, PipelineCatalog catalog) {
		PinnedPipeline pinned = new PinnedPipeline(catalog, repository);
		WorkerRequests remote = workers.getIfAvailable();
		Step train = (remote != null) ? remote.remote("train", TRAIN_ON_WORKER, repository) : trainStep;
		Step evaluate = (remote != null) ? remote.remote("evaluate", EVALUATE_ON_WORKER, repository) : evaluateStep;
		// the search step only for a pipeline with a search: a run's steps are what it
		// did
		JobExecutionDecider searching = (execution, step) -> new FlowExecutionStatus(
				(PinnedPipeline.of(execution, catalog).search() != null) ? "SEARCH" : "TRAIN");
		return new JobBuilder(JOB_NAME, repository).listener(listener)
			.listener(pinned)
			.start(snapshotStep)
			.next(validateStep)
			.next(searching)
			.on("SEARCH")
			.to(searchStep)
			.next(train)
			.from(searching)
			.on("*")
			.to(train)
			.from(train)
			.next(evaluate)
			.next(decideStep)
			.next(registerStep)
			.end()
			.build();
	}

	@Bean
	StepInputsFactory stepScopes(PipelineCatalog catalog, RetrainProperties props, StepClaims claims) {
		return new StepInputsFactory(catalog, props, claims);
	}

	@Bean
	RunLifecycleListener runLifecycleListener(RunRecords runs, PipelineLocks locks, ModelRegistry registry,
			RetrainProperties props, ApplicationEventPublisher events, JobRepository repository,
			ObjectProvider<NodeShutdown> shutdown) {
		return new RunLifecycleListener(runs, locks, registry, props, events, repository, shutdown);
	}

	@Bean
	Step snapshotStep(JobRepository repository, PlatformTransactionManager tm, StepInputsFactory inputs,
			RunRecords runs) {
		return step("snapshot", repository, tm, inputs, new SnapshotStep(inputs, runs));
	}

	@Bean
	Step validateStep(JobRepository repository, PlatformTransactionManager tm, StepInputsFactory inputs,
			RunRecords runs, ModelRegistry registry, ModelStore store) {
		return step("validate", repository, tm, inputs, new ValidateStep(inputs, runs, registry, store));
	}

	/**
	 * The search: one partition per candidate ({@link CandidateStep#partitioner}), run on
	 * {@code search.threads} local threads, or with workers each on a worker.
	 */
	@Bean
	Step searchStep(JobRepository repository, PipelineCatalog catalog, @Qualifier(SEARCH_CANDIDATE) Step candidate,
			ObjectProvider<WorkerRequests> workers) {
		WorkerRequests remote = workers.getIfAvailable();
		PartitionHandler handler = (remote != null)
				? (splitter, manager) -> remote.runAll(SEARCH_CANDIDATE,
						SearchPartitions.split(splitter, manager, repository), repository)
				: SearchPartitions.local(candidate, catalog, repository);
		return new StepBuilder("search", repository).listener(MDC)
			.partitioner(SEARCH_CANDIDATE, CandidateStep.partitioner(catalog))
			.partitionHandler(handler)
			.build();
	}

	@Bean(SEARCH_CANDIDATE)
	Step searchCandidateStep(JobRepository repository, PlatformTransactionManager tm, StepInputsFactory inputs,
			RunRecords runs, ModelRegistry registry, ModelStore store, ObjectProvider<EpochListener> observers) {
		return new StepBuilder(SEARCH_CANDIDATE, repository).listener(FAILPOINTS)
			.listener(MDC)
			.tasklet(
					new CandidateStep(inputs, runs, registry, store, new ModelTrainer(),
							inputs.props().trainingMemoryBytes(), observers.getIfAvailable(() -> EpochListener.NONE)),
					tm)
			.build();
	}

	@Bean
	Step trainStep(JobRepository repository, PlatformTransactionManager tm, StepInputsFactory inputs, RunRecords runs,
			ModelRegistry registry, ModelStore store, ObjectProvider<EpochListener> observers) {
		return step("train", repository, tm, inputs, train(inputs, runs, registry, store, observers));
	}

	@Bean(TRAIN_ON_WORKER)
	Step trainOnWorkerStep(JobRepository repository, PlatformTransactionManager tm, StepInputsFactory inputs,
			RunRecords runs, ModelRegistry registry, ModelStore store, ObjectProvider<EpochListener> observers) {
		return step(TRAIN_ON_WORKER, repository, tm, inputs, train(inputs, runs, registry, store, observers));
	}

	private static TrainStep train(StepInputsFactory inputs, RunRecords runs, ModelRegistry registry, ModelStore store,
			ObjectProvider<EpochListener> observers) {
		EpochListener observer = observers.getIfAvailable(() -> EpochListener.NONE);
		LongPredicate stopRequested = runs::stopRequested;
		return new TrainStep(inputs, runs, registry, store, new ModelTrainer(), observer, stopRequested,
				inputs.props().trainingMemoryBytes());
	}

	@Bean
	Step evaluateStep(JobRepository repository, PlatformTransactionManager tm, StepInputsFactory inputs,
			RunRecords runs, ModelRegistry registry, ModelStore store) {
		return step("evaluate", repository, tm, inputs, new EvaluateStep(inputs, runs, registry, store));
	}

	@Bean(EVALUATE_ON_WORKER)
	Step evaluateOnWorkerStep(JobRepository repository, PlatformTransactionManager tm, StepInputsFactory inputs,
			RunRecords runs, ModelRegistry registry, ModelStore store) {
		return step(EVALUATE_ON_WORKER, repository, tm, inputs, new EvaluateStep(inputs, runs, registry, store));
	}

	@Bean
	Step decideStep(JobRepository repository, PlatformTransactionManager tm, StepInputsFactory inputs,
			RunRecords runs) {
		return step("decide", repository, tm, inputs, new DecideStep(inputs, runs));
	}

	@Bean
	Step registerStep(JobRepository repository, PlatformTransactionManager tm, StepInputsFactory inputs,
			ModelRegistry registry, ModelStore store, Clock clock) {
		return step("register", repository, tm, inputs, new RegisterStep(inputs, registry, store, clock));
	}

	/**
	 * A step of the job that works in the run's workspace: failpoints and the run's MDC
	 * around it; with a workspace in object storage, {@code work} starts from the
	 * workspace there and leaves what it wrote ({@link WorkspaceSync}).
	 */
	private static Step step(String name, JobRepository repository, PlatformTransactionManager tm,
			StepInputsFactory inputs, Tasklet work) {
		return new StepBuilder(name, repository).listener(FAILPOINTS)
			.listener(MDC)
			.listener(inputs.sync())
			.tasklet(inputs.sync().around(work), tm)
			.build();
	}

}

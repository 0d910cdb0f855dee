package dev.retrain.jobs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.batch.autoconfigure.BatchTaskExecutor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.task.TaskExecutor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.consistency.ConsistencyCheck;
import dev.retrain.jobs.drift.DriftChecker;
import dev.retrain.jobs.drift.DriftEvents;
import dev.retrain.jobs.drift.DriftReports;
import dev.retrain.jobs.drift.PartitionWatch;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.RegistryConfiguration;
import dev.retrain.jobs.retrain.RetrainJobConfiguration;
import dev.retrain.jobs.retrain.RunLifecycleListener;
import dev.retrain.jobs.runs.NodeLiveness;
import dev.retrain.jobs.runs.PipelineLocks;
import dev.retrain.jobs.runs.RunAudit;
import dev.retrain.jobs.runs.RunLauncher;
import dev.retrain.jobs.runs.RunRecords;
import dev.retrain.jobs.runs.RunViews;
import dev.retrain.jobs.runs.StartupRecovery;
import dev.retrain.jobs.scoring.ScoringJobConfiguration;
import dev.retrain.jobs.workers.WorkerConfiguration;
import dev.retrain.models.store.ModelStore;

/**
 * The jobs module's beans: catalog, store, registry, run history, locks, launcher, and
 * the batch executor.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RetrainProperties.class)
@Import({ RegistryConfiguration.class, RetrainJobConfiguration.class, WorkerConfiguration.class,
		ScoringJobConfiguration.class })
public class JobsConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	@Bean
	FailureText failureText(RetrainProperties props) {
		return new FailureText(props);
	}

	@Bean
	PipelineCatalog pipelineCatalog(RetrainProperties props) {
		PipelineCatalog catalog = new PipelineCatalog(props.configDir());
		catalog.reload();
		return catalog;
	}

	@Bean
	ModelStore modelStore(RetrainProperties props) {
		return new ModelStore(props.store(), props.storeCache());
	}

	@Bean
	RunRecords runRecords(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, JobRepository jobRepository) {
		return new RunRecords(jdbc, tx, clock, jobRepository);
	}

	@Bean
	PipelineLocks pipelineLocks(JdbcTemplate jdbc, JobRepository repository, RetrainProperties props, Clock clock) {
		return new PipelineLocks(jdbc, repository, (props.nodeId() != null) ? props.nodeId() : hostName(), clock);
	}

	@Bean
	RunLauncher runLauncher(JobOperator operator, JobRepository repository, Job retrainJob, PipelineCatalog catalog,
			PipelineLocks locks, RunRecords runs, PipelineData data, ApplicationEventPublisher events) {
		return new RunLauncher(operator, repository, retrainJob, catalog, locks, runs, data, events);
	}

	@Bean
	RunViews runViews(RunRecords runs, JobRepository jobRepository) {
		return new RunViews(runs, jobRepository);
	}

	@Bean
	RunAudit runAudit(AuditLog audit) {
		return new RunAudit(audit);
	}

	@Bean
	PipelineData pipelineData(RetrainProperties props, Clock clock) {
		return new PipelineData(props, clock);
	}

	@Bean
	DriftReports driftReports(JdbcTemplate jdbc) {
		return new DriftReports(jdbc);
	}

	@Bean
	DriftEvents driftEvents(JdbcTemplate jdbc, PipelineCatalog catalog, RunLauncher launcher, PipelineLocks locks,
			Clock clock) {
		return new DriftEvents(jdbc, catalog, launcher, locks, clock);
	}

	@Bean
	DriftChecker driftChecker(PipelineCatalog catalog, RetrainProperties props, ModelRegistry registry,
			ModelStore store, DriftReports reports, DriftEvents events, Clock clock,
			ApplicationEventPublisher publisher) {
		return new DriftChecker(catalog, props, registry, store, reports, events, clock, publisher);
	}

	@Bean
	PartitionWatch partitionWatch(JdbcTemplate jdbc, PipelineCatalog catalog, RetrainProperties props,
			DriftChecker checker, RunLauncher launcher, Clock clock) {
		return new PartitionWatch(jdbc, catalog, props, checker, launcher, clock);
	}

	@Bean
	ConsistencyCheck consistencyCheck(ModelRegistry registry, ModelStore store, JdbcTemplate jdbc,
			JobRepository jobRepository, Clock clock) {
		return new ConsistencyCheck(registry, store, jdbc, jobRepository, clock);
	}

	@Bean
	AuditLog auditLog(JdbcTemplate jdbc, Clock clock) {
		return new AuditLog(jdbc, clock);
	}

	@Bean(initMethod = "recover")
	StartupRecovery startupRecovery(PipelineLocks locks, JobRepository repository, JobOperator operator,
			RunRecords runs, ModelRegistry registry, ModelStore store) {
		return new StartupRecovery(locks, repository, operator, runs, registry, store);
	}

	@Bean(initMethod = "start", destroyMethod = "stop")
	NodeLiveness nodeLiveness(JdbcTemplate jdbc, PipelineLocks locks, StartupRecovery recovery,
			ApplicationEventPublisher events, Clock clock, RetrainProperties props) {
		return new NodeLiveness(jdbc, locks, recovery, events, clock, props.heartbeatInterval(), props.nodeTimeout());
	}

	/**
	 * Runs execute on their own threads, so a launch returns at once; how many at once is
	 * {@link RetrainProperties#runThreads()}.
	 */
	@Bean
	@BatchTaskExecutor
	TaskExecutor batchTaskExecutor(RetrainProperties props, ObjectProvider<RunLifecycleListener> lifecycle) {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		// a run whose end Spring Batch could not record still ends (RunLifecycleListener)
		executor.setTaskDecorator(job -> lifecycle.getObject().guard(job));
		executor.setThreadNamePrefix("run-");
		// the pool grows past its core size only when its queue is full: the core size
		// is how many runs execute at once
		executor.setCorePoolSize(props.runThreads());
		executor.setMaxPoolSize(props.runThreads() * 2);
		executor.setQueueCapacity(100);
		executor.initialize();
		return executor;
	}

	private static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "localhost";
		}
	}

}

package dev.retrain.jobs.backtest;

import java.time.Clock;

import io.micrometer.observation.ObservationRegistry;
import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.support.JobOperatorFactoryBean;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskExecutor;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.transaction.PlatformTransactionManager;

import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.runs.PipelineLocks;

/**
 * The backtest job: {@code replay} (the policies, one after the other:
 * {@link ReplayStep}), then {@code report} ({@link ReportStep}). Its one identifying
 * parameter, {@value #ID}, is the backtest's id: the key to its row in table
 * {@code backtest} and to its directory {@code <data>/backtests/<id>/}, where the request
 * is stored (too long for a job parameter); {@value #FROM} and {@value #TO}, fixed at the
 * start, keep a restart on the same days when data arrived meanwhile. So status, restart
 * and recovery are Spring Batch's: a failed or stopped backtest is restarted as its job
 * instance, and its replay step goes on from the policies its execution context counts as
 * done. Backtests run on a job operator and a one-thread executor of their own (one at a
 * time per node, the next queued), never on the retrain runs' executor. Imported by the
 * application; a policy's sandbox does not have it.
 */
@Configuration(proxyBeanMethods = false)
public class BacktestJobConfiguration {

	public static final String JOB_NAME = "backtest";

	/** The identifying job parameter: the backtest's id. */
	public static final String ID = "backtest";

	static final String PIPELINE = "pipeline";

	static final String FROM = "from";

	static final String TO = "to";

	@Bean
	Job backtestJob(JobRepository repository, Step backtestReplayStep, Step backtestReportStep) {
		return new JobBuilder(JOB_NAME, repository).start(backtestReplayStep).next(backtestReportStep).build();
	}

	@Bean
	Step backtestReplayStep(JobRepository repository, RetrainProperties props) {
		return new ReplayStep(repository, props.dataDir());
	}

	/** The report is written to files: its chunk needs no database transaction. */
	@Bean
	Step backtestReportStep(JobRepository repository, RetrainProperties props) {
		return new StepBuilder("report", repository)
			.tasklet(new ReportStep(props.dataDir()), new ResourcelessTransactionManager())
			.build();
	}

	/**
	 * One backtest at a time per node (they are CPU-bound on a small machine); the next
	 * ones wait in its queue.
	 */
	@Bean(defaultCandidate = false)
	ThreadPoolTaskExecutor backtestTaskExecutor() {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
		executor.setThreadNamePrefix("backtest-");
		executor.setCorePoolSize(1);
		executor.setMaxPoolSize(1);
		return executor;
	}

	/** Launches backtests on their executor; only for beans that ask for it by name. */
	@Bean(defaultCandidate = false)
	JobOperator backtestJobOperator(JobRepository repository, PlatformTransactionManager tm, Job backtestJob,
			@Qualifier("backtestTaskExecutor") TaskExecutor executor, ObjectProvider<ObservationRegistry> observations)
			throws Exception {
		MapJobRegistry jobs = new MapJobRegistry();
		jobs.register(backtestJob);
		JobOperatorFactoryBean factory = new JobOperatorFactoryBean();
		factory.setJobRepository(repository);
		factory.setJobRegistry(jobs);
		factory.setTransactionManager(tm);
		factory.setTaskExecutor(executor);
		observations.ifAvailable(factory::setObservationRegistry);
		factory.afterPropertiesSet();
		return factory.getObject();
	}

	@Bean
	BacktestLauncher backtestLauncher(@Qualifier("backtestJobOperator") JobOperator operator, JobRepository repository,
			Job backtestJob, PipelineCatalog catalog, JdbcTemplate jdbc, RetrainProperties props, PipelineLocks locks,
			Clock clock, ApplicationEventPublisher events) {
		return new BacktestLauncher(operator, repository, backtestJob, catalog, jdbc, props.dataDir(), locks.nodeId(),
				clock, events);
	}

	@Bean
	BacktestViews backtestViews(BacktestLauncher launcher) {
		return new BacktestViews(launcher);
	}

	@Bean
	BacktestAudit backtestAudit(AuditLog audit) {
		return new BacktestAudit(audit);
	}

	@Bean(initMethod = "recover")
	BacktestRecovery backtestRecovery(@Qualifier("backtestJobOperator") JobOperator operator, JobRepository repository,
			JdbcTemplate jdbc, PipelineLocks locks) {
		return new BacktestRecovery(operator, repository, jdbc, locks.nodeId());
	}

}

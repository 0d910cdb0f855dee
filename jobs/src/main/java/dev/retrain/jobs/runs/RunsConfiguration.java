package dev.retrain.jobs.runs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.models.store.ModelStore;

/**
 * The runs feature: run records, the pipeline lock, the launcher, start-up recovery and
 * node liveness.
 */
@Configuration(proxyBeanMethods = false)
public class RunsConfiguration {

	@Bean
	RunRecords runRecords(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, JobRepository jobRepository) {
		return new RunRecords(jdbc, tx, clock, jobRepository);
	}

	@Bean
	StepClaims stepClaims(JdbcTemplate jdbc, Clock clock) {
		return new StepClaims(jdbc, clock);
	}

	@Bean
	PipelineLocks pipelineLocks(JdbcTemplate jdbc, JobRepository repository, RetrainProperties props, Clock clock) {
		return new PipelineLocks(jdbc, repository, (props.nodeId() != null) ? props.nodeId() : hostName(), clock);
	}

	@Bean
	RunLauncher runLauncher(JobOperator operator, JobRepository repository, Job retrainJob, PipelineCatalog catalog,
			PipelineLocks locks, RunRecords runs, PipelineData data, ApplicationEventPublisher events,
			ObjectProvider<NodeShutdown> shutdown) {
		return new RunLauncher(operator, repository, retrainJob, catalog, locks, runs, data, events,
				() -> shutdown.getIfAvailable() != null && shutdown.getIfAvailable().leaving());
	}

	@Bean
	RunViews runViews(RunRecords runs, JobRepository jobRepository, FailureText text) {
		return new RunViews(runs, jobRepository, text);
	}

	@Bean
	RunAudit runAudit(AuditLog audit) {
		return new RunAudit(audit);
	}

	@Bean(initMethod = "recover")
	StartupRecovery startupRecovery(PipelineLocks locks, JobRepository repository, JobOperator operator,
			RunRecords runs, ModelRegistry registry, ModelStore store) {
		return new StartupRecovery(locks, repository, operator, runs, registry, store);
	}

	@Bean
	OrphanedRuns orphanedRuns(RunLauncher launcher, StartupRecovery recovery,
			@Value("${retrain.resume-runs-of-stopped-nodes:true}") boolean resumeRunsOfStoppedNodes) {
		return new OrphanedRuns(launcher, recovery, resumeRunsOfStoppedNodes);
	}

	@Bean
	NodeShutdown nodeShutdown(PipelineLocks locks, JobRepository repository, RunRecords runs, NodeLiveness liveness,
			@Value("${retrain.shutdown.handover-wait:20s}") Duration wait) {
		return new NodeShutdown(locks, repository, runs, liveness, wait);
	}

	@Bean(initMethod = "start", destroyMethod = "stop")
	NodeLiveness nodeLiveness(JdbcTemplate jdbc, PipelineLocks locks, StartupRecovery recovery,
			ApplicationEventPublisher events, Clock clock, RetrainProperties props) {
		return new NodeLiveness(jdbc, locks, recovery, events, clock, props.heartbeatInterval(), props.nodeTimeout());
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

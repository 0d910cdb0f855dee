package dev.retrain.jobs.scoring;

import java.time.Clock;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.retrain.jobs.FailureText;
import dev.retrain.jobs.RetrainProperties;
import dev.retrain.jobs.audit.AuditLog;
import dev.retrain.jobs.pipeline.PipelineCatalog;
import dev.retrain.jobs.pipeline.PipelineData;
import dev.retrain.jobs.registry.CommitteeRegistry;
import dev.retrain.jobs.registry.ModelRegistry;
import dev.retrain.jobs.registry.RegistryOperations;
import dev.retrain.models.store.ModelStore;

/**
 * The batch scoring job ({@value #JOB_NAME}): one step that scores a pipeline's date with
 * a model version and writes the predictions partitioned by date ({@link ScoreStep}).
 * Spring Batch's job repository is its record: status, parameters, restarts.
 */
@Configuration(proxyBeanMethods = false)
public class ScoringJobConfiguration {

	public static final String JOB_NAME = "score";

	@Bean(JOB_NAME)
	Job scoreJob(JobRepository repository, PlatformTransactionManager tm, PipelineCatalog catalog, ModelStore store,
			RetrainProperties props, CommitteeRegistry committees, ModelRegistry registry) {
		return new JobBuilder(JOB_NAME, repository)
			.start(new StepBuilder("score", repository)
				.tasklet(new ScoreStep(catalog, store, props, committees, registry), tm)
				.build())
			.build();
	}

	/** The label-join job: a day's predictions joined with its labels. */
	public static final String LABEL_JOB = "label-join";

	@Bean(LABEL_JOB)
	Job labelJoinJob(JobRepository repository, PlatformTransactionManager tm, PipelineCatalog catalog,
			ProductionLabels labels, RealisedPerformance realised, CommitteeRegistry committees,
			RealisedVersions versions, ShadowPromotion shadows) {
		return new JobBuilder(LABEL_JOB, repository)
			.start(new StepBuilder("join-labels", repository)
				.tasklet(new LabelJoinStep(catalog, labels, realised, committees, versions, shadows), tm)
				.build())
			.build();
	}

	@Bean
	ProductionLabels productionLabels(RetrainProperties props, ModelStore store) {
		return new ProductionLabels(props, store);
	}

	@Bean
	RealisedPerformance realisedPerformance(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
		return new RealisedPerformance(jdbc, tx, clock);
	}

	@Bean
	RealisedVersions realisedVersions(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
		return new RealisedVersions(jdbc, tx, clock);
	}

	@Bean
	ShadowPromotion shadowPromotion(RealisedVersions versions, ModelRegistry registry, RegistryOperations operations,
			TransactionTemplate tx) {
		return new ShadowPromotion(versions, registry, operations, tx);
	}

	@Bean
	LabelJoins labelJoins(JobOperator operator, JobRepository repository, @Qualifier(LABEL_JOB) Job job,
			PipelineCatalog catalog, RetrainProperties props, ApplicationEventPublisher events) {
		return new LabelJoins(operator, repository, job, catalog, new FailureText(props), events);
	}

	@Bean
	ScoringLauncher scoringLauncher(JobOperator operator, JobRepository repository, @Qualifier(JOB_NAME) Job job,
			PipelineCatalog catalog, PipelineData data, ModelRegistry registry, RetrainProperties props,
			ApplicationEventPublisher events) {
		return new ScoringLauncher(operator, repository, job, catalog, data, registry, new FailureText(props), events);
	}

	@Bean
	ScoringAudit scoringAudit(AuditLog audit) {
		return new ScoringAudit(audit);
	}

}
